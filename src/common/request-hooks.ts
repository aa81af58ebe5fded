import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  cacheSummary,
  type RequestContext,
  requestContext,
  runInContext,
} from './request-deadline.js';

/**
 * Adds the per-request hooks of the API. They echo X-Request-Id, run the
 * handler in a request context whose deadline is `deadlineMs` away, and set
 * X-Cache to how the cache served the request.
 */
export function addRequestHooks(
  fastify: FastifyInstance,
  deadlineMs: number,
): void {
  const contexts = new WeakMap<FastifyRequest, RequestContext>();
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    done();
  });
  // The handler runs synchronously inside preHandler's `done`, after the body
  // is read, so the context reaches it and every promise it creates.
  fastify.addHook('preHandler', (request, _reply, done) => {
    const context = requestContext(deadlineMs);
    contexts.set(request, context);
    runInContext(context, done);
  });
  fastify.addHook('onSend', (request, reply, payload, done) => {
    const summary = cacheSummary(contexts.get(request));
    if (summary) void reply.header('x-cache', summary);
    done(null, payload);
  });
}
