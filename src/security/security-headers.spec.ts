import { describe, expect, it } from 'vitest';
import { API_HEADERS, helmetHeaders } from './security-headers.js';

describe('helmetHeaders', () => {
  it('records the default headers', () => {
    const headers = helmetHeaders();

    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(headers['content-security-policy']).toContain("default-src 'self'");
    expect(headers['strict-transport-security']).toMatch(/^max-age=\d+/);
  });

  it('applies options', () => {
    const headers = helmetHeaders({
      frameguard: { action: 'deny' },
      contentSecurityPolicy: false,
    });

    expect(headers['x-frame-options']).toBe('DENY');
    expect(headers).not.toHaveProperty('content-security-policy');
  });

  it('keeps API responses to the headers that protect them', () => {
    const headers = helmetHeaders(API_HEADERS);

    expect(headers['content-security-policy']).toBe(
      "default-src 'none';frame-ancestors 'none'",
    );
    expect(headers['x-frame-options']).toBe('DENY');
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['strict-transport-security']).toMatch(/^max-age=\d+/);
    expect(headers['referrer-policy']).toBe('no-referrer');
    expect(headers['cross-origin-resource-policy']).toBe('same-origin');
    expect(Object.keys(headers)).toHaveLength(6);
  });
});
