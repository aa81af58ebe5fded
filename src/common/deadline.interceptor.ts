import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import { Observable } from 'rxjs';
import { AppConfig } from '../config/app-config.js';
import { withDeadline } from './request-deadline.js';

/**
 * Gives every request a deadline of REQUEST_DEADLINE from its start, carried
 * in async context to the upstream calls made on its behalf.
 */
@Injectable()
export class DeadlineInterceptor implements NestInterceptor {
  constructor(private readonly config: AppConfig) {}

  intercept(
    _context: ExecutionContext,
    next: CallHandler,
  ): Observable<unknown> {
    return new Observable((subscriber) =>
      withDeadline(this.config.upstream.deadlineMs, () =>
        next.handle().subscribe(subscriber),
      ),
    );
  }
}
