import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { pinoLoggerOf } from '../observability/logger.js';
import { type RequestContext, requestContext } from './request-deadline.js';

const BODILESS = new Set(['GET', 'HEAD', 'OPTIONS']);
/**
 * Request property that contains the context. Setting a decorated property
 * costs less than a WeakMap entry per request: in a CPU profile of cached
 * quotes, the hook's own time fell from 2% to under 0.5%.
 */
const CONTEXT = Symbol('requestContext');

type WithContext = FastifyRequest & { [CONTEXT]?: RequestContext | null };

/**
 * Returns the context of a request: its deadline, logger and cache outcome.
 * A request the hooks did not see (a test calling a handler directly) gets a
 * context without a deadline.
 */
export function contextOf(request: FastifyRequest): RequestContext {
  const holder = request as WithContext;
  let context = holder[CONTEXT];
  if (!context) {
    context = requestContext(Number.POSITIVE_INFINITY);
    holder[CONTEXT] = context;
  }

  return context;
}

/**
 * Adds the per-request hooks of the API. They echo X-Request-Id, give each
 * request a context whose deadline is `deadlineMs` away and whose logger
 * writes the request id, and set X-Cache to how the cache served the request.
 */
export function addRequestHooks(
  fastify: FastifyInstance,
  deadlineMs: number,
): void {
  // Without a pino logger (logging off), request.log is a stand-in that
  // Nest's logger bridge cannot use.
  const logging = pinoLoggerOf(fastify.log) !== null;

  // Only a request with a body can arrive compressed, so the compression
  // plugin's two request hooks are left off routes that take none.
  fastify.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (methods.every((method) => BODILESS.has(method)))
      route.decompress ??= false;
  });

  fastify.decorateRequest(CONTEXT, null);
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    (request as WithContext)[CONTEXT] = requestContext(
      deadlineMs,
      logging ? (request.log as Logger) : null,
    );
    done();
  });

  fastify.addHook('onSend', (request, reply, payload, done) => {
    const outcome = (request as WithContext)[CONTEXT]?.cache;
    if (outcome) void reply.header('x-cache', outcome);
    done(null, payload);
  });
}
