import { type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  type ThrottlerLimitDetail,
  type ThrottlerModuleOptions,
  type ThrottlerOptions,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../common/api.errors.js';
import { AppConfig } from '../config/app-config.js';
import { requestAuth } from './principal.js';
import { rateLimitTarget } from './rate-limit-target.js';
import { routePolicy } from './route-policy.js';

/**
 * Second global guard: counts the request against its client's limit with
 * @nestjs/throttler and sets the X-RateLimit-* headers. rateLimitTarget
 * picks the counter: the token's subject or the client address.
 *
 * The limit is picked here from the route and the principal instead of
 * through throttler's per-route decorators, and the storage key is the
 * tracker itself: throttler's default key generator hashes with SHA-256 on
 * every request.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  private readonly settings: AppConfig['security']['rateLimit'];
  private readonly throttler: ThrottlerOptions;

  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    config: AppConfig,
  ) {
    super(options, storage, reflector);
    this.settings = config.security.rateLimit;
    this.throttler = {
      name: 'default',
      limit: this.settings.requests,
      ttl: this.settings.windowMs,
    };
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const target = rateLimitTarget(
      this.settings,
      routePolicy(request.routeOptions.url).bucket,
      request.ip,
      requestAuth(request)?.principal ?? null,
    );
    if (target === null) return true;
    const ttl = this.settings.windowMs;

    return this.handleRequest({
      context,
      limit: target.limit,
      ttl,
      blockDuration: ttl,
      throttler: this.throttler,
      getTracker: () => target.tracker,
      generateKey: (_context, trackerKey) => trackerKey,
    });
  }

  /** Rejects with 429 RATE_LIMITED, with the X-RateLimit-* headers that throttler sets only on admitted requests. */
  protected override throwThrottlingException(
    context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    const { res } = this.getRequestResponse(context);
    this.setResponseHeader(res, 'X-RateLimit-Limit', detail.limit);
    this.setResponseHeader(res, 'X-RateLimit-Remaining', 0);
    this.setResponseHeader(res, 'X-RateLimit-Reset', detail.timeToExpire);
    const seconds = detail.ttl / 1000;
    throw new ApiError(
      'RATE_LIMITED',
      `More than ${detail.limit} requests in ${seconds} s; retry after ${detail.timeToBlockExpire} s.`,
      { retryAfter: detail.timeToBlockExpire },
    );
  }
}
