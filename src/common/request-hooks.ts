import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { pinoLoggerOf } from '../observability/logger.js';
import {
  cacheSummary,
  type RequestContext,
  requestContext,
  runInContext,
} from './request-deadline.js';

const BODILESS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Adds the per-request hooks of the API. They echo X-Request-Id, run the
 * handler in a request context whose deadline is `deadlineMs` away and whose
 * logger writes the request id, and set X-Cache to how the cache served the
 * request.
 */
export function addRequestHooks(
  fastify: FastifyInstance,
  deadlineMs: number,
): void {
  const contexts = new WeakMap<FastifyRequest, RequestContext>();
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

  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    done();
  });

  // The handler runs synchronously inside preHandler's `done`, after the body
  // is read, so the context reaches it and every promise it creates.
  fastify.addHook('preHandler', (request, _reply, done) => {
    const context = requestContext(
      deadlineMs,
      logging ? (request.log as Logger) : null,
    );
    contexts.set(request, context);
    runInContext(context, done);
  });

  fastify.addHook('onSend', (request, reply, payload, done) => {
    const summary = cacheSummary(contexts.get(request));
    if (summary) void reply.header('x-cache', summary);
    done(null, payload);
  });
}
