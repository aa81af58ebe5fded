import { describe, expect, it } from 'vitest';
import { routePolicy } from './route-policy.js';

describe('routePolicy', () => {
  it.each([
    ['/api/stocks/:symbol/history', 'history:read', 'api'],
    ['/api/crypto/:symbol/history', 'history:read', 'api'],
    ['/api/quotes/:symbol', 'quotes:read', 'api'],
    ['/api/quotes', 'quotes:read', 'api'],
    ['/api/market/status', 'quotes:read', 'api'],
    ['/api/session', 'quotes:read', 'none'],
    ['/auth/token', null, 'token'],
    ['/health/live', null, 'none'],
    ['/health/ready', null, 'none'],
    ['/metrics', null, 'none'],
    ['/problems/:slug', null, 'none'],
    ['/apiary', null, 'none'],
  ])('maps %s', (url, scope, bucket) => {
    expect(routePolicy(url)).toEqual({ scope, bucket });
  });

  it('leaves unknown routes open', () => {
    expect(routePolicy(undefined)).toEqual({ scope: null, bucket: 'none' });
  });
});
