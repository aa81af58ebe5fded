# Production image of the Market Data API: the "build" stage compiles the
# TypeScript sources, and the "runtime" stage holds only the compiled output,
# the production dependencies and config/. test/image-layout.e2e-spec.ts
# rebuilds the runtime stage's layout from this file and runs it, and it
# reads only FROM, WORKDIR, COPY, RUN (npm ci and npm run build), ENV, USER,
# EXPOSE, HEALTHCHECK and CMD, so keep to those instructions.
# NOTE: that test replays this file without Docker, so no test runs
# `docker build` itself.

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# The only install script in the dependency tree is @scarf/scarf's
# postinstall (through swagger-ui-dist), which sends install analytics.
RUN --mount=type=cache,target=/root/.npm npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production \
    API_HOST=0.0.0.0
WORKDIR /app
COPY package.json package-lock.json ./
# --omit=optional as well, because typescript is an optional peer dependency
# of @nestjs/swagger and --omit=dev alone keeps it.
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund
COPY --from=build /app/dist ./dist
COPY config ./config
# The official image's "node" user, given by number so that Kubernetes'
# runAsNonRoot can verify it. Root owns every file, so the service cannot
# change its own folder.
USER 1000:1000
EXPOSE 8000 8001
# The slim image has no curl, so node itself probes the liveness endpoint.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.API_PORT || 8000) + '/health/live', { signal: AbortSignal.timeout(4000) }).then((response) => process.exit(response.ok ? 0 : 1), () => process.exit(1))"]
# node is PID 1 and receives SIGTERM itself, with no npm or shell in between.
CMD ["node", "dist/main.js"]
