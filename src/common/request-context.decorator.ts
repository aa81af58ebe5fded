import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { contextOf } from './request-hooks.js';

/**
 * Gives a handler the context of its request (deadline, logger, cache
 * outcome), which it passes on to the services it calls.
 */
export const RequestContextParam = createParamDecorator(
  (_data: unknown, host: ExecutionContext) =>
    contextOf(host.switchToHttp().getRequest<FastifyRequest>()),
);
