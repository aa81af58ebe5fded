import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { startStreamingApp, type StreamingApp } from './support/streaming.js';

const ORIGIN = 'https://dashboard.example.test';

/** Sends one raw HTTP request and resolves with the status code. */
function rawStatus(
  baseUrl: string,
  path: string,
  headers: Record<string, string>,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      `${baseUrl}${path}`,
      { headers },
      (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      },
    );
    request.on('error', reject);
    request.end();
  });
}

describe('HTTP security settings', () => {
  let api: TestApp;

  beforeAll(async () => {
    api = await startTestApp({
      env: {
        CORS_ORIGINS: ORIGIN,
        CORS_METHODS: 'GET,POST',
        CORS_HEADERS: 'Authorization,Content-Type',
        REQUEST_BODY_LIMIT: '256',
        REQUEST_HEADER_LIMIT: '4096',
      },
    });
  });

  afterAll(async () => {
    await api.close();
  });

  it('sends the security headers of an API', async () => {
    const response = await api.request('/api/quotes/AAPL');

    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('content-security-policy')).toBe(
      "default-src 'none';frame-ancestors 'none'",
    );
    expect(response.headers.get('strict-transport-security')).toContain(
      'max-age=',
    );
    expect(response.headers.get('x-dns-prefetch-control')).toBeNull();
  });

  it('sends the security headers of a page to Swagger UI', async () => {
    const response = await api.request('/docs');

    expect(response.status).toBe(200);
    expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(response.headers.get('content-security-policy')).toContain(
      "default-src 'self'",
    );
    expect(response.headers.get('cross-origin-opener-policy')).toBe(
      'same-origin',
    );
  });

  it('allows a preflight from an allowed origin', async () => {
    const response = await api.request('/api/quotes/AAPL', {
      method: 'OPTIONS',
      headers: {
        origin: ORIGIN,
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization',
      },
    });

    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(response.headers.get('access-control-allow-methods')).toBe(
      'GET, POST',
    );
    expect(response.headers.get('access-control-allow-headers')).toBe(
      'Authorization, Content-Type',
    );
  });

  it('exposes the rate-limit headers to an allowed origin', async () => {
    const response = await api.request('/api/quotes/AAPL', {
      headers: { origin: ORIGIN },
    });
    const exposed = response.headers.get('access-control-expose-headers');

    expect(response.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(exposed).toContain('X-RateLimit-Remaining');
    expect(exposed).toContain('Retry-After');
  });

  it('gives another origin no CORS headers', async () => {
    const response = await api.request('/api/quotes/AAPL', {
      headers: { origin: 'https://evil.example.test' },
    });

    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  const apiHeaderCases: [string, string, RequestInit][] = [
    [
      'a preflight',
      '/api/quotes/AAPL',
      {
        method: 'OPTIONS',
        headers: { origin: ORIGIN, 'access-control-request-method': 'GET' },
      },
    ],
    ['a malformed URL', '/api/quotes/%%%', {}],
    ['the OpenAPI document', '/docs-json', {}],
    ['a path that starts like the docs', '/docsx', {}],
  ];

  it.each(apiHeaderCases)(
    'sends the API headers to %s',
    async (_name, path, init) => {
      const response = await api.request(path, init);
      await response.arrayBuffer();

      expect(response.headers.get('content-security-policy')).toBe(
        "default-src 'none';frame-ancestors 'none'",
      );
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('strict-transport-security')).toContain(
        'max-age=',
      );
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      expect(response.headers.get('cross-origin-resource-policy')).toBe(
        'same-origin',
      );
    },
  );

  it('answers an unknown path with 404', async () => {
    const { status } = await api.json('/api/nothing');

    expect(status).toBe(404);
  });

  it('rejects a body over REQUEST_BODY_LIMIT with 413', async () => {
    const response = await api.request('/auth/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ apiKey: 'x'.repeat(1000) }),
    });
    const body = (await response.json()) as { code: string };

    expect(response.status).toBe(413);
    expect(body.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('rejects an unknown body type with 415', async () => {
    const response = await api.request('/auth/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-unknown' },
      body: 'apiKey=x',
    });
    const body = (await response.json()) as { code: string; detail: string };

    expect(response.status).toBe(415);
    expect(body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(body.detail).toContain('application/x-unknown');
  });

  it('rejects headers over REQUEST_HEADER_LIMIT with 431', async () => {
    const status = await rawStatus(api.baseUrl, '/health/live', {
      'x-padding': 'x'.repeat(5000),
    });

    expect(status).toBe(431);
  });

  it('accepts headers under REQUEST_HEADER_LIMIT', async () => {
    const status = await rawStatus(api.baseUrl, '/health/live', {
      'x-padding': 'x'.repeat(2000),
    });

    expect(status).toBe(200);
  });
});

describe('Socket.IO CORS', () => {
  let stream: StreamingApp;

  beforeAll(async () => {
    stream = await startStreamingApp({ env: { CORS_ORIGINS: ORIGIN } });
  });

  afterAll(async () => {
    await stream.close();
  });

  const handshake = (origin: string) =>
    fetch(`${stream.streamUrl}/socket.io/?EIO=4&transport=polling`, {
      headers: { origin },
    });

  it('allows long polling from an allowed origin', async () => {
    const response = await handshake(ORIGIN);
    await response.arrayBuffer();

    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe(ORIGIN);
  });

  it('gives another origin no CORS headers', async () => {
    const response = await handshake('https://evil.example.test');
    await response.arrayBuffer();

    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });
});
