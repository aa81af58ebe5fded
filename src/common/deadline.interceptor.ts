import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Observable, tap } from 'rxjs';
import { AppConfig } from '../config/app-config.js';
import { cacheSummary, withDeadline } from './request-deadline.js';

/**
 * Gives every request a deadline of REQUEST_DEADLINE from its start, carried
 * in async context to the upstream calls made on its behalf, and reports how
 * the cache served an HTTP request in the X-Cache header. Socket.IO
 * messages get the deadline only.
 */
@Injectable()
export class DeadlineInterceptor implements NestInterceptor {
  constructor(private readonly config: AppConfig) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const reply =
      context.getType() === 'http'
        ? context.switchToHttp().getResponse<FastifyReply>()
        : null;

    return new Observable((subscriber) =>
      withDeadline(this.config.upstream.deadlineMs, () =>
        next
          .handle()
          .pipe(
            tap(() => {
              const summary = cacheSummary();
              if (summary && reply) void reply.header('x-cache', summary);
            }),
          )
          .subscribe(subscriber),
      ),
    );
  }
}
