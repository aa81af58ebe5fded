import { normalizeIp } from '@nestjs/throttler';
import type { AppConfig } from '../config/app-config.js';
import type { Principal } from './principal.js';
import type { RateLimitBucket } from './route-policy.js';

/** An IPv6 client usually owns a whole /64, so it counts as one address. */
const IPV6_SUBNET_PREFIX = 64;

/** The counter of a request: the tracker's key and its limit per window. */
export interface RateLimitTarget {
  tracker: string;
  limit: number;
}

/**
 * Picks the counter of a request. A request with a verified token is counted
 * by its subject, at its tier's limit. Any other is counted by its client
 * address, Fastify's request.ip, which believes X-Forwarded-For only from
 * TRUSTED_PROXIES. POST /auth/token has its own limit per address. Returns
 * null when the request is not counted (a route without a limit, or a limit
 * of 0).
 */
export function rateLimitTarget(
  settings: AppConfig['security']['rateLimit'],
  bucket: RateLimitBucket,
  ip: string,
  principal: Principal | null,
): RateLimitTarget | null {
  if (bucket === 'none') return null;
  if (bucket === 'api' && principal) {
    const limit = limitOf(settings, principal.tier);

    return limit === 0
      ? null
      : { tracker: `api:sub:${principal.subject}`, limit };
  }
  const limit = bucket === 'token' ? settings.tokenRequests : settings.requests;
  if (limit === 0) return null;
  const address = normalizeIp(ip, IPV6_SUBNET_PREFIX);

  return { tracker: `${bucket}:ip:${address}`, limit };
}

function limitOf(
  settings: AppConfig['security']['rateLimit'],
  tier: string | null,
): number {
  if (tier === null) return settings.requests;

  return settings.tiers.get(tier) ?? settings.requests;
}
