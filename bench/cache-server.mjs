// Serves one variant of the cached-quote benchmark on 127.0.0.1 and prints
// its port. The variants:
// - `fastify`: a bare Fastify route;
// - `plain`: a NestJS application with one controller and nothing else;
// - `nest`: a route of the full application, behind its plugins, hooks,
//   guards and pipes, that returns a fixed body;
// - `memory`: the quote route served from the memory tier;
// - `redis`: the quote route served from Redis, with the memory tier off;
// - `secured`: the quote route with JWT checks (HS256, BENCH_JWT_SECRET) and
//   rate limits counted in memory;
// - `secured-redis`: the same with Redis, which shares the rate-limit
//   counters and keeps the cache behind the memory tier.
// The fixed body comes from the BODY environment variable.
import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import Fastify from 'fastify';
import { AppModule } from '../dist/app.module.js';
import { configureApp, createAdapter } from '../dist/app.setup.js';
import { loadConfig } from '../dist/config/config.loader.js';

const variant = process.argv[2];
const body = JSON.parse(process.env.BODY ?? '{}');

async function bareFastify() {
  const app = Fastify();
  app.get('/bench/quote', () => body);
  await app.listen({ port: 0, host: '127.0.0.1' });

  return app.server.address().port;
}

class FixedQuoteController {
  quote() {
    return body;
  }
}
Controller('bench')(FixedQuoteController);
Get('quote')(
  FixedQuoteController.prototype,
  'quote',
  Object.getOwnPropertyDescriptor(FixedQuoteController.prototype, 'quote'),
);

async function plainNest() {
  class PlainModule {}
  Module({ controllers: [FixedQuoteController] })(PlainModule);
  const app = await NestFactory.create(PlainModule, new FastifyAdapter(), {
    logger: false,
  });
  await app.listen(0, '127.0.0.1');

  return app.getHttpServer().address().port;
}

async function nestApp(env) {
  const config = loadConfig({ env: { ...process.env, ...env } });
  class BenchModule {}
  Module({
    imports: [AppModule.register(config)],
    controllers: [FixedQuoteController],
  })(BenchModule);
  const app = await NestFactory.create(BenchModule, createAdapter(), {
    logger: ['fatal', 'error'],
  });
  await configureApp(app);
  await app.listen(0, '127.0.0.1');

  return app.getHttpServer().address().port;
}

// Rate limits are off: this benchmark measures the cache, and a limit would
// turn most of its requests into 429s.
const common = {
  LOG_LEVEL: 'error',
  SWAGGER_ENABLED: 'false',
  WS_PORT: '0',
  RATE_LIMIT_REQUESTS: '0',
};
// JWT checks and rate limits on, with logs at their production level and a
// limit far above what the benchmark sends, so no request is rejected.
const secured = {
  ...common,
  LOG_LEVEL: 'info',
  AUTH_ENABLED: 'true',
  JWT_SECRET: process.env.BENCH_JWT_SECRET ?? '',
  RATE_LIMIT_REQUESTS: '100000000',
  RATE_LIMIT_WINDOW: '60',
};
const variants = {
  fastify: () => bareFastify(),
  plain: () => plainNest(),
  nest: () => nestApp(common),
  memory: () => nestApp(common),
  redis: () =>
    nestApp({
      ...common,
      REDIS_URL: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
      CACHE_KEY_PREFIX: `bench-${process.pid}`,
      CACHE_MEMORY_TTL: '0',
    }),
  secured: () => nestApp(secured),
  'secured-redis': () =>
    nestApp({
      ...secured,
      REDIS_URL: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
      CACHE_KEY_PREFIX: `bench-${process.pid}`,
    }),
};

if (!variants[variant]) {
  console.error(
    `unknown variant "${variant}"; use ${Object.keys(variants).join(', ')}`,
  );
  process.exit(2);
}
// The application variants close on SIGTERM through Nest's shutdown hooks;
// the bare servers exit directly, so a profiler can write its output.
if (variant === 'fastify' || variant === 'plain')
  process.once('SIGTERM', () => process.exit(0));
const port = await variants[variant]();
process.stdout.write(`${JSON.stringify({ port })}\n`);
