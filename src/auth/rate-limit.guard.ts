import { type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  normalizeIp,
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
import { routePolicy } from './route-policy.js';

/**
 * Second global guard: counts the request against its client's limit with
 * @nestjs/throttler and sets the X-RateLimit-* headers. A request with a
 * verified token is counted by its subject, at its tier's limit. Any other
 * request is counted by the client address, which is Fastify's request.ip:
 * it believes X-Forwarded-For only from TRUSTED_PROXIES. POST /auth/token
 * has its own limit per client address.
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
    const bucket = routePolicy(request.routeOptions.url).bucket;
    if (bucket === 'none') return true;
    // An IPv6 client usually owns a whole /64, so it counts as one address.
    const address = normalizeIp(request.ip, this.ipv6SubnetPrefix);
    let tracker: string;
    let limit: number;
    if (bucket === 'token') {
      tracker = `token:ip:${address}`;
      limit = this.settings.tokenRequests;
    } else {
      const principal = requestAuth(request)?.principal;
      tracker = principal
        ? `api:sub:${principal.subject}`
        : `api:ip:${address}`;
      limit = this.limitOf(principal?.tier ?? null);
    }
    if (limit === 0) return true;
    const ttl = this.settings.windowMs;

    return this.handleRequest({
      context,
      limit,
      ttl,
      blockDuration: ttl,
      throttler: this.throttler,
      getTracker: () => tracker,
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

  private limitOf(tier: string | null): number {
    if (tier === null) return this.settings.requests;

    return this.settings.tiers.get(tier) ?? this.settings.requests;
  }
}
