import {
  type CanActivate,
  type ExecutionContext,
  Injectable,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../common/api.errors.js';
import { contextOf } from '../common/request-hooks.js';
import { AppConfig } from '../config/app-config.js';
import { bearerToken } from '../streaming/stream-auth.js';
import { JwtVerifier } from './jwt-verifier.service.js';
import { requestAuth, setRequestAuth } from './principal.js';
import { routePolicy } from './route-policy.js';

const MISSING_TOKEN =
  'A bearer token is required: send "Authorization: Bearer <token>"; POST /auth/token issues one for an API key.';

/**
 * First global guard: verifies the bearer token of a route that needs one
 * and records the principal or the failure. It does not reject, so that the
 * rate-limit guard after it counts failed attempts too (by client address);
 * AccessGuard then rejects.
 */
@Injectable()
export class AuthenticationGuard implements CanActivate {
  private readonly enabled: boolean;

  constructor(
    config: AppConfig,
    private readonly verifier: JwtVerifier,
  ) {
    this.enabled = config.security.authEnabled;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (!this.enabled || context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (routePolicy(request.routeOptions.url).scope === null) return true;
    const token = bearerToken(request.headers.authorization);
    if (token === null) {
      setRequestAuth(request, {
        principal: null,
        failure: new ApiError('UNAUTHORIZED', MISSING_TOKEN),
        challenge: 'Bearer',
      });
      return true;
    }
    try {
      const principal = await this.verifier.verify(token, contextOf(request));
      setRequestAuth(request, { principal, failure: null, challenge: '' });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      const description =
        error.code === 'TOKEN_EXPIRED'
          ? 'the token expired'
          : 'the token is invalid';
      setRequestAuth(request, {
        principal: null,
        failure: error,
        challenge: `Bearer error="invalid_token", error_description="${description}"`,
      });
    }

    return true;
  }
}

/**
 * Last global guard: rejects a request whose token failed (401, with a
 * `WWW-Authenticate` header as RFC 6750 describes) or lacks the route's
 * scope (403 naming the scope).
 */
@Injectable()
export class AccessGuard implements CanActivate {
  private readonly enabled: boolean;

  constructor(config: AppConfig) {
    this.enabled = config.security.authEnabled;
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.enabled || context.getType() !== 'http') return true;
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const scope = routePolicy(request.routeOptions.url).scope;
    if (scope === null) return true;
    const auth = requestAuth(request);
    if (!auth?.principal) {
      void http
        .getResponse<FastifyReply>()
        .header('www-authenticate', auth?.challenge ?? 'Bearer');
      throw auth?.failure ?? new ApiError('UNAUTHORIZED', MISSING_TOKEN);
    }
    if (!auth.principal.scopes.has(scope)) {
      void http
        .getResponse<FastifyReply>()
        .header(
          'www-authenticate',
          `Bearer error="insufficient_scope", scope="${scope}"`,
        );
      throw new ApiError(
        'FORBIDDEN',
        `The token lacks the scope ${scope}, which this endpoint requires.`,
        { scope },
      );
    }

    return true;
  }
}
