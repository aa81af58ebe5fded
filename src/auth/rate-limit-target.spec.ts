import { describe, expect, it } from 'vitest';
import type { AppConfig } from '../config/app-config.js';
import type { Principal } from './principal.js';
import { rateLimitTarget } from './rate-limit-target.js';

const SETTINGS = {
  requests: 100,
  tokenRequests: 10,
  windowMs: 60_000,
  tiers: new Map([
    ['pro', 1000],
    ['unlimited', 0],
  ]),
} as unknown as AppConfig['security']['rateLimit'];

function principal(tier: string | null): Principal {
  return {
    subject: 'key:desk',
    scopes: new Set(['quotes:read']),
    tier,
    expiresAt: Date.now() + 60_000,
  };
}

describe('rateLimitTarget', () => {
  it('counts a token by its subject and tier', () => {
    expect(
      rateLimitTarget(SETTINGS, 'api', '10.0.0.1', principal('pro')),
    ).toEqual({
      tracker: 'api:sub:key:desk',
      limit: 1000,
    });
    expect(
      rateLimitTarget(SETTINGS, 'api', '10.0.0.1', principal('unknown')),
    ).toEqual({ tracker: 'api:sub:key:desk', limit: 100 });
  });

  it('counts anonymous requests by address', () => {
    expect(rateLimitTarget(SETTINGS, 'api', '10.0.0.1', null)).toEqual({
      tracker: 'api:ip:10.0.0.1',
      limit: 100,
    });
  });

  it('counts an IPv6 /64 as one address', () => {
    const first = rateLimitTarget(SETTINGS, 'api', '2001:db8:1:2::1', null);
    const second = rateLimitTarget(SETTINGS, 'api', '2001:db8:1:2::ff', null);

    expect(first?.tracker).toBe(second?.tracker);
    expect(first?.tracker).not.toBe(
      rateLimitTarget(SETTINGS, 'api', '2001:db8:1:3::1', null)?.tracker,
    );
  });

  it('counts token requests by address only', () => {
    expect(
      rateLimitTarget(SETTINGS, 'token', '10.0.0.1', principal('pro')),
    ).toEqual({ tracker: 'token:ip:10.0.0.1', limit: 10 });
  });

  it('skips unlimited routes and tiers', () => {
    expect(rateLimitTarget(SETTINGS, 'none', '10.0.0.1', null)).toBeNull();
    expect(
      rateLimitTarget(SETTINGS, 'api', '10.0.0.1', principal('unlimited')),
    ).toBeNull();
  });
});
