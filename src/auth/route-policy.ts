import type { Scope } from '../config/security-config.js';

/** Rate limit that counts a request. */
export type RateLimitBucket = 'api' | 'token' | 'none';

/** Requirements of a route: a scope (null: no token) and the rate limit it counts against. */
export interface RoutePolicy {
  scope: Scope | null;
  bucket: RateLimitBucket;
}

const HISTORY: RoutePolicy = { scope: 'history:read', bucket: 'api' };
const READ: RoutePolicy = { scope: 'quotes:read', bucket: 'api' };
const TOKEN: RoutePolicy = { scope: null, bucket: 'token' };
const OPEN: RoutePolicy = { scope: null, bucket: 'none' };
const SESSION: RoutePolicy = { scope: 'quotes:read', bucket: 'none' };

/** Path of the endpoint that exchanges an API key for a token. */
export const TOKEN_PATH = '/auth/token';
/** Path of the endpoint that checks a token without counting it. */
export const SESSION_PATH = '/api/session';

/**
 * Maps a route pattern (Fastify's `routeOptions.url`, such as
 * `/api/stocks/:symbol/history`) to its policy. Everything under /api needs a
 * token: history routes need `history:read`, every other read
 * `quotes:read`. The session check needs `quotes:read` too but is not
 * counted, so that a proxy may check each request it serves from its cache.
 * Health, readiness, metrics, the docs and the problem pages need no token
 * and are never rate limited.
 */
export function routePolicy(url: string | undefined): RoutePolicy {
  if (url === undefined) return OPEN;
  if (url === SESSION_PATH) return SESSION;
  if (url.startsWith('/api/') || url === '/api') {
    return url.endsWith('/history') ? HISTORY : READ;
  }

  return url === TOKEN_PATH ? TOKEN : OPEN;
}
