import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppConfig } from '../config/app-config.js';
import { bearerToken } from '../streaming/stream-auth.js';
import { JwtVerifier } from './jwt-verifier.service.js';
import type { Principal } from './principal.js';
import { RateLimitStorage } from './rate-limit-storage.service.js';
import { rateLimitTarget } from './rate-limit-target.js';
import { routePolicy } from './route-policy.js';

/**
 * The guards' checks, made without an async step, for a request that a kept
 * response could serve. The token must be one the verifier accepted before,
 * still unexpired and with the route's scope. The rate limit must admit the
 * request from this instance's own count, and the request is then counted
 * and gets the same X-RateLimit-* headers as from the guards. Anything else
 * (no token, a token not seen yet, a missing scope, a limit that needs
 * Redis or is used up) is left to the guards, which count the request and
 * reply to it.
 */
@Injectable()
export class FastPathAdmission {
  private readonly authEnabled: boolean;
  private readonly limits: AppConfig['security']['rateLimit'];

  constructor(
    config: AppConfig,
    private readonly verifier: JwtVerifier,
    private readonly storage: RateLimitStorage,
  ) {
    this.authEnabled = config.security.authEnabled;
    this.limits = config.security.rateLimit;
  }

  readonly admit = (request: FastifyRequest, reply: FastifyReply): boolean => {
    const policy = routePolicy(request.routeOptions.url);
    let principal: Principal | null = null;
    if (this.authEnabled && policy.scope !== null) {
      const token = bearerToken(request.headers.authorization);
      principal =
        token === null ? null : this.verifier.verifiedPrincipal(token);
      if (principal === null || !principal.scopes.has(policy.scope))
        return false;
    }
    const target = rateLimitTarget(
      this.limits,
      policy.bucket,
      request.ip,
      principal,
    );
    if (target === null) return true;
    const counted = this.storage.admitLocally(
      target.tracker,
      this.limits.windowMs,
      target.limit,
    );
    if (counted === null) return false;
    void reply
      .header('X-RateLimit-Limit', target.limit)
      .header(
        'X-RateLimit-Remaining',
        Math.max(0, target.limit - counted.totalHits),
      )
      .header('X-RateLimit-Reset', counted.timeToExpire);

    return true;
  };
}
