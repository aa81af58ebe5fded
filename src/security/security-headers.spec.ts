import { describe, expect, it } from 'vitest';
import { helmetHeaders } from './security-headers.js';

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
});
