import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { pinoLoggerOf } from './logger.js';
import type { ApiMetrics } from './metrics.js';

/** Route label of requests that matched no route, so random paths add one series. */
export const UNMATCHED_ROUTE = 'unmatched';
/** Requests slower than this are logged at info even when they succeed (ms). */
export const SLOW_REQUEST_MS = 1000;

const KNOWN_METHODS = new Set([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'OPTIONS',
]);

function logOf(request: FastifyRequest): Logger {
  return request.log as Logger;
}

/**
 * Counts and times every response in one Fastify onResponse hook, and logs
 * its completion. The counts go to RequestMetrics, which costs three map
 * lookups and a few additions a response. Route templates come from
 * Fastify's router, never from the raw path, so the number of series stays
 * bounded.
 *
 * Completion lines carry the request id, method, route, status and time.
 * They are written at info for 5xx responses and requests slower than
 * SLOW_REQUEST_MS, else at debug, so that the default level (info) does not
 * write a line per request.
 */
export function addRequestObserver(
  fastify: FastifyInstance,
  metrics: ApiMetrics,
): void {
  const logging = pinoLoggerOf(fastify.log) !== null;

  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? UNMATCHED_ROUTE;
    const method = KNOWN_METHODS.has(request.method) ? request.method : 'OTHER';
    const status = reply.statusCode;
    const elapsedMs = reply.elapsedTime;
    metrics.requests.record(method, route, status, elapsedMs / 1000);

    const level =
      status >= 500 || elapsedMs >= SLOW_REQUEST_MS ? 'info' : 'debug';
    if (logging && logOf(request).isLevelEnabled(level)) {
      logOf(request)[level](
        {
          method: request.method,
          route,
          url: request.url.split('?', 1)[0],
          status,
          responseTimeMs: Math.round(elapsedMs * 1000) / 1000,
        },
        'request completed',
      );
    }
    done();
  });
}
