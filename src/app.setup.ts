import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import fastifyCompress from '@fastify/compress';
import fastifyEtag from '@fastify/etag';
import type { LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { LogController } from 'fastify';
import {
  FastifyAdapter,
  type NestFastifyApplication,
} from '@nestjs/platform-fastify';
import { AppModule } from './app.module.js';
import { FastPathAdmission } from './auth/fast-path-admission.service.js';
import { HitFastPath } from './cache/hit-fast-path.service.js';
import { sendClientError, sendFrameworkError } from './common/http-errors.js';
import { contentHash } from './common/json-body.js';
import { ProblemFilter } from './common/problem.filter.js';
import { addRequestHooks } from './common/request-hooks.js';
import { RouteMethods } from './common/route-methods.js';
import { ApiValidationPipe } from './common/validation.js';
import { AppConfig } from './config/app-config.js';
import { loadConfig, type LoadOptions } from './config/config.loader.js';
import {
  adapterSecurityOptions,
  registerHttpSecurity,
} from './security/http-security.js';
import { createLogger, pinoLoggerOf } from './observability/logger.js';
import { ApiMetrics } from './observability/metrics.js';
import { PinoNestLogger } from './observability/nest-logger.js';
import { addRequestObserver } from './observability/request-observer.js';
import { StreamingIoAdapter } from './streaming/streaming-io.adapter.js';
import { setUpSwagger } from './swagger.js';

const VERSION = '0.1.0';
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const NEST_LEVELS: Readonly<Record<AppConfig['logLevel'], LogLevel[] | false>> =
  {
    fatal: ['fatal'],
    error: ['fatal', 'error'],
    warn: ['fatal', 'error', 'warn'],
    info: ['fatal', 'error', 'warn', 'log'],
    debug: ['fatal', 'error', 'warn', 'log', 'debug'],
    trace: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
    silent: false,
  };

/** Keeps a caller's X-Request-Id when it is short and plain, else makes one. */
function requestId(request: IncomingMessage): string {
  const header = request.headers['x-request-id'];
  return typeof header === 'string' && REQUEST_ID.test(header)
    ? header
    : randomUUID();
}

/**
 * Fastify's logger: the service's pino logger. Fastify's own line per request
 * is off; the request observer writes one at the level it chooses.
 */
function loggerOptions(config: AppConfig) {
  return {
    loggerInstance: createLogger(config),
    logController: new LogController({ disableRequestLogging: true }),
  };
}

/**
 * Creates the Fastify adapter with the request id and path limits the API
 * relies on, and the trusted proxies and size limits of the settings
 * (without settings, Fastify's defaults and no trusted proxy).
 */
export function createAdapter(config?: AppConfig): FastifyAdapter {
  return new FastifyAdapter({
    ...(config ? adapterSecurityOptions(config) : {}),
    ...(config ? loggerOptions(config) : {}),
    genReqId: requestId,
    // Long paths reach the symbol parser, which explains the limit, instead of a bare 404.
    routerOptions: { maxParamLength: 1000 },
    frameworkErrors: sendFrameworkError,
    clientErrorHandler: sendClientError,
  });
}

/**
 * Adds the HTTP plugins, error filter, validation and OpenAPI document to a
 * created application. Tests that build the module themselves call it too.
 */
export async function configureApp(
  app: NestFastifyApplication,
): Promise<NestFastifyApplication> {
  const settings = app.get(AppConfig);
  const fastify = app.getHttpAdapter().getInstance();
  const pino = pinoLoggerOf(fastify.log);
  app.useLogger(
    pino ? new PinoNestLogger(pino) : NEST_LEVELS[settings.logLevel],
  );

  addRequestObserver(fastify, app.get(ApiMetrics));
  addRequestHooks(fastify, settings.upstream.deadlineMs);
  // Before the plugins, so that the kept body is the uncompressed one.
  app.get(HitFastPath).register(fastify, app.get(FastPathAdmission).admit);
  const routes = new RouteMethods();
  fastify.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) routes.add(method, route.url);
  });
  // One-shot hashing gives the same strong ETags as the plugin's default at half the cost.
  await app.register(fastifyEtag, { hashFn: contentHash });
  await app.register(fastifyCompress, { encodings: ['br', 'gzip', 'deflate'] });
  registerHttpSecurity(app, settings);

  app.useWebSocketAdapter(new StreamingIoAdapter(app));
  app.useGlobalFilters(new ProblemFilter(routes));
  app.useGlobalPipes(new ApiValidationPipe());
  if (settings.swaggerEnabled) setUpSwagger(app, VERSION);

  return app;
}

/** Builds the application on the given settings, ready to listen. */
export async function createApp(
  config: AppConfig | LoadOptions = {},
): Promise<NestFastifyApplication> {
  const settings = config instanceof AppConfig ? config : loadConfig(config);
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.register(settings),
    createAdapter(settings),
    {
      // Held until configureApp hands Nest the pino logger, so start-up lines are JSON too.
      bufferLogs: true,
      // Start-up failures reach the caller, which prints them once and exits.
      abortOnError: false,
    },
  );

  return configureApp(app);
}
