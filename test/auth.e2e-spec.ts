import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { freePort } from './support/redis.js';
import {
  newSecret,
  signHs256,
  unsignedToken,
  writeApiKeysFile,
  type TokenOptions,
} from './support/tokens.js';

const ISSUER = 'https://issuer.example.test';
const AUDIENCE = 'market-data-api';
const QUOTE = '/api/quotes/AAPL';
const HISTORY = '/api/stocks/AAPL/history?interval=1d&from=2024-03-01';

interface ProblemBody {
  code: string;
  status: number;
  detail: string;
  scope?: string;
}

describe('JWT authentication with HS256', () => {
  const secret = newSecret();
  const apiKey = `mk_${newSecret()}`;
  const readOnlyKey = `mk_${newSecret()}`;
  let api: TestApp;

  const sign = (options: TokenOptions = {}) =>
    signHs256(secret, {
      issuer: ISSUER,
      audience: AUDIENCE,
      scope: 'quotes:read history:read',
      ...options,
    });
  const get = async (path: string, token?: string) => {
    const headers: Record<string, string> = {};
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    return api.json<ProblemBody>(path, { headers });
  };

  beforeAll(async () => {
    api = await startTestApp({
      env: {
        JWT_SECRET: secret,
        JWT_ISSUER: ISSUER,
        JWT_AUDIENCE: AUDIENCE,
        JWT_CLOCK_TOLERANCE: '60',
        API_KEYS_FILE: writeApiKeysFile([
          {
            key: apiKey,
            name: 'dashboard',
            scopes: ['quotes:read', 'history:read', 'stream:subscribe'],
          },
          { key: readOnlyKey, name: 'quotes-only', scopes: ['quotes:read'] },
        ]),
      },
    });
  });

  afterAll(async () => {
    await api.close();
  });

  it('accepts a valid token', async () => {
    const { status, body } = await get(QUOTE, await sign());

    expect(status).toBe(200);
    expect(body).toMatchObject({ symbol: 'AAPL' });
  });

  it('rejects a request without a token', async () => {
    const { status, body, response } = await get(QUOTE);

    expect(status).toBe(401);
    expect(body.code).toBe('UNAUTHORIZED');
    expect(body.detail).toContain('bearer token is required');
    expect(response.headers.get('content-type')).toContain(
      'application/problem+json',
    );
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
  });

  it.each([
    ['malformed', async () => 'not.a.token'],
    ['one-part', async () => 'garbage'],
    [
      'bad signature',
      async () =>
        signHs256(newSecret(), {
          issuer: ISSUER,
          audience: AUDIENCE,
          scope: 'quotes:read',
        }),
    ],
    [
      'alg none',
      async () =>
        unsignedToken({
          sub: 'tester',
          scope: 'quotes:read',
          iss: ISSUER,
          aud: AUDIENCE,
          exp: Math.floor(Date.now() / 1000) + 300,
        }),
    ],
    [
      'wrong issuer',
      async () => sign({ issuer: 'https://other.example.test' }),
    ],
    ['wrong audience', async () => sign({ audience: 'another-api' })],
    ['not yet valid', async () => sign({ notBefore: 600 })],
    [
      'HS512 when only HS256 is accepted',
      async () =>
        signHs256(
          secret,
          { issuer: ISSUER, audience: AUDIENCE, scope: 'quotes:read' },
          'HS512',
        ),
    ],
  ])('rejects a %s token with 401', async (_case, token) => {
    const value = await token();
    const { status, body, response } = await get(QUOTE, value);

    expect(status).toBe(401);
    expect(body.code).toBe('UNAUTHORIZED');
    expect(JSON.stringify(body)).not.toContain(value);
    expect(response.headers.get('www-authenticate')).toContain('invalid_token');
  });

  it('reports an expired token as expired', async () => {
    const { status, body } = await get(QUOTE, await sign({ expiresIn: -120 }));

    expect(status).toBe(401);
    expect(body.code).toBe('TOKEN_EXPIRED');
    expect(body.detail).toMatch(/expired at \d{4}-\d\d-\d\dT/);
  });

  it('accepts a token 30 s past expiry within a 60 s leeway', async () => {
    const { status } = await get(QUOTE, await sign({ expiresIn: -30 }));

    expect(status).toBe(200);
  });

  it.each([
    ['a missing', undefined],
    ['an empty', ''],
    ['an object', { id: 1 }],
  ])('rejects %s subject', async (_kind, subject) => {
    const now = Math.floor(Date.now() / 1000);
    // The claim's type is what is under test, so the typing is bypassed.
    const sub = subject as unknown as string;
    const token = await new SignJWT({ scope: 'quotes:read', sub })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime(now + 300)
      .sign(new TextEncoder().encode(secret));
    const { status, body } = await get(QUOTE, token);

    expect(status).toBe(401);
    expect(body.detail).toContain('sub');
  });

  it('returns 403 naming the missing scope', async () => {
    const token = await sign({ scope: 'quotes:read' });
    const { status, body } = await get(HISTORY, token);

    expect(status).toBe(403);
    expect(body.code).toBe('FORBIDDEN');
    expect(body.scope).toBe('history:read');
    expect(body.detail).toContain('history:read');
  });

  it('requires quotes:read for other reads', async () => {
    const token = await sign({ scope: 'history:read' });
    const quote = await get(QUOTE, token);
    const history = await get(HISTORY, token);

    expect(quote.status).toBe(403);
    expect(quote.body.scope).toBe('quotes:read');
    expect(history.status).toBe(200);
  });

  it('describes a valid token at /api/session', async () => {
    const token = await sign({ subject: 'dash', scope: 'quotes:read' });
    const response = await api.request('/api/session', {
      headers: { authorization: `Bearer ${token}` },
    });
    const body = (await response.json()) as Record<string, unknown>;

    expect(response.status).toBe(200);
    expect(body).toMatchObject({
      authenticated: true,
      subject: 'dash',
      scopes: ['quotes:read'],
      tier: null,
    });
    expect(Date.parse(String(body.expiresAt))).toBeGreaterThan(Date.now());
    expect(response.headers.get('x-ratelimit-remaining')).toBeNull();
  });

  it('checks the token at /api/session', async () => {
    const missing = await get('/api/session');
    const expired = await get('/api/session', await sign({ expiresIn: -120 }));
    const historyOnly = await get(
      '/api/session',
      await sign({ scope: 'history:read' }),
    );

    expect(missing.status).toBe(401);
    expect(expired.body.code).toBe('TOKEN_EXPIRED');
    expect(historyOnly.status).toBe(403);
  });

  it('leaves health, metrics and the docs open', async () => {
    expect((await api.request('/health/live')).status).toBe(200);
    expect((await api.request('/metrics')).status).toBe(200);
    expect((await api.request('/docs-json')).status).toBe(200);
  });

  it('exchanges an API key in the body for a token', async () => {
    const response = await api.request('/auth/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ apiKey }),
    });
    const body = (await response.json()) as {
      access_token: string;
      token_type: string;
      expires_in: number;
      scope: string;
    };

    expect(response.status).toBe(200);
    expect(body.token_type).toBe('Bearer');
    expect(body.expires_in).toBe(900);
    expect(body.scope).toBe('quotes:read history:read stream:subscribe');
    expect((await get(HISTORY, body.access_token)).status).toBe(200);
  });

  it('exchanges an X-API-Key header for a token with its scopes', async () => {
    const response = await api.request('/auth/token', {
      method: 'POST',
      headers: { 'x-api-key': readOnlyKey },
    });
    const body = (await response.json()) as { access_token: string };

    expect(response.status).toBe(200);
    expect((await get(QUOTE, body.access_token)).status).toBe(200);
    expect((await get(HISTORY, body.access_token)).status).toBe(403);
  });

  it('rejects an unknown API key without echoing it', async () => {
    const unknown = `mk_${newSecret()}`;
    const response = await api.request('/auth/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ apiKey: unknown }),
    });
    const text = await response.text();

    expect(response.status).toBe(401);
    expect(text).toContain('UNAUTHORIZED');
    expect(text).not.toContain(unknown);
  });
});

describe('JWT authentication with RS256', () => {
  let api: TestApp;
  let privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
  let publicPem: string;

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256', { extractable: true });
    privateKey = pair.privateKey;
    publicPem = await exportSPKI(pair.publicKey);
    api = await startTestApp({ env: { JWT_PUBLIC_KEY: publicPem } });
  });

  afterAll(async () => {
    await api.close();
  });

  const status = async (token: string) =>
    (
      await api.request(QUOTE, {
        headers: { authorization: `Bearer ${token}` },
      })
    ).status;

  it('accepts a token signed with the private key', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ scope: 'quotes:read' })
      .setProtectedHeader({ alg: 'RS256' })
      .setSubject('rs-client')
      .setExpirationTime(now + 300)
      .sign(privateKey);

    expect(await status(token)).toBe(200);
  });

  it('rejects an HS256 token signed with the public key', async () => {
    const token = await signHs256(new TextEncoder().encode(publicPem), {
      scope: 'quotes:read',
    });

    expect(await status(token)).toBe(401);
  });

  it('rejects an alg none token', async () => {
    const token = unsignedToken({
      sub: 'rs-client',
      scope: 'quotes:read',
      exp: Math.floor(Date.now() / 1000) + 300,
    });

    expect(await status(token)).toBe(401);
  });
});

// The key set and the tokens verified with it are kept this long.
const JWKS_CACHE_S = 2;

describe('JWT authentication with a JWKS URL', () => {
  let api: TestApp;
  let server: Server;
  let jwksUrl = '';
  let fetches = 0;
  let lastFetchAt = 0;
  const keys = new Map<string, Awaited<ReturnType<typeof generateKeyPair>>>();
  let published: Record<string, unknown>[] = [];

  const signWith = async (kid: string) => {
    const pair = keys.get(kid);
    if (!pair) throw new Error(`no key ${kid}`);
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ scope: 'quotes:read' })
      .setProtectedHeader({ alg: 'ES256', kid })
      .setSubject('jwks-client')
      .setExpirationTime(now + 300)
      .sign(pair.privateKey);
  };
  const status = async (token: string) =>
    (
      await api.request(QUOTE, {
        headers: { authorization: `Bearer ${token}` },
      })
    ).status;

  beforeAll(async () => {
    for (const kid of ['current', 'unpublished', 'withdrawn', 'retired']) {
      keys.set(kid, await generateKeyPair('ES256', { extractable: true }));
    }
    const current = keys.get('current');
    if (!current) throw new Error('no current key');
    const withdrawn = keys.get('withdrawn');
    if (!withdrawn) throw new Error('no withdrawn key');
    const retired = keys.get('retired');
    if (!retired) throw new Error('no retired key');
    published = [
      { ...(await exportJWK(current.publicKey)), kid: 'current', alg: 'ES256' },
      {
        ...(await exportJWK(withdrawn.publicKey)),
        kid: 'withdrawn',
        alg: 'ES256',
      },
      { ...(await exportJWK(retired.publicKey)), kid: 'retired', alg: 'ES256' },
    ];
    server = createServer((request, response) => {
      fetches += 1;
      lastFetchAt = Date.now();
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ keys: published }));
    });
    await new Promise<void>((resolve) =>
      server.listen(0, '127.0.0.1', resolve),
    );
    const address = server.address() as AddressInfo;
    jwksUrl = `http://127.0.0.1:${address.port}/jwks.json`;
    api = await startTestApp({
      env: {
        JWT_JWKS_URL: jwksUrl,
        JWT_ALGORITHMS: 'ES256',
        JWT_JWKS_CACHE_TTL: String(JWKS_CACHE_S),
      },
    });
  });

  afterAll(async () => {
    await api.close();
    await new Promise((resolve) => server.close(resolve));
  });

  it('verifies a token with a published key, fetching the set once', async () => {
    const first = await status(await signWith('current'));
    const second = await status(await signWith('current'));

    expect(first).toBe(200);
    expect(second).toBe(200);
    expect(fetches).toBe(1);
  });

  it('rejects a token whose key id is not published', async () => {
    const { status: code, body } = await api.json<ProblemBody>(QUOTE, {
      headers: { authorization: `Bearer ${await signWith('unpublished')}` },
    });

    expect(code).toBe(401);
    expect(body.detail).toBe('No key of the JWKS matches the token.');
  });

  it('stops accepting a withdrawn key within the cache time', async () => {
    const token = await signWith('withdrawn');
    const before = await status(token);
    published = published.filter((key) => key.kid !== 'withdrawn');
    await sleep(JWKS_CACHE_S * 1000 + 200);
    const after = await status(token);

    expect(before).toBe(200);
    expect(after).toBe(401);
  });

  it('expires a late token with its key set', async () => {
    // A request after the cache time makes the service fetch the set again,
    // and the key is withdrawn right after that fetch.
    await sleep(JWKS_CACHE_S * 1000 + 200);
    expect(await status(await signWith('current'))).toBe(200);
    const fetchedAt = lastFetchAt;
    published = published.filter((key) => key.kid !== 'retired');
    const token = await signWith('retired');

    // The set fetched before the withdrawal still contains the key, so a token
    // presented shortly before that set expires passes.
    await sleep(fetchedAt + JWKS_CACHE_S * 800 - Date.now());
    const late = await status(token);
    await sleep(fetchedAt + JWKS_CACHE_S * 1000 + 300 - Date.now());
    const afterCacheTime = await status(token);

    expect(late).toBe(200);
    expect(afterCacheTime).toBe(401);
  });
});

describe('JWT authentication with an unreachable JWKS', () => {
  let server: Server;
  let baseUrl = '';
  let closedPortUrl = '';
  const key = generateKeyPair('ES256');

  beforeAll(async () => {
    server = createServer((request, response) => {
      if (request.url === '/unavailable') {
        response.statusCode = 503;
        response.end('unavailable');
        return;
      }
      response.setHeader('content-type', 'application/json');
      response.end('{"keys": [');
    });
    await new Promise<void>((resolve) =>
      server.listen(0, '127.0.0.1', resolve),
    );
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    closedPortUrl = `http://127.0.0.1:${await freePort()}/jwks.json`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const cases: [string, () => string][] = [
    ['an HTTP 503', () => `${baseUrl}/unavailable`],
    ['a truncated body', () => `${baseUrl}/truncated`],
    ['a refused connection', () => closedPortUrl],
  ];

  it.each(cases)('reports %s as unavailable keys', async (_name, url) => {
    const api = await startTestApp({
      env: { JWT_JWKS_URL: url(), JWT_ALGORITHMS: 'ES256' },
    });
    try {
      const token = await new SignJWT({ scope: 'quotes:read' })
        .setProtectedHeader({ alg: 'ES256', kid: 'current' })
        .setSubject('jwks-client')
        .setExpirationTime(Math.floor(Date.now() / 1000) + 300)
        .sign((await key).privateKey);
      const { status, body } = await api.json<ProblemBody>(QUOTE, {
        headers: { authorization: `Bearer ${token}` },
      });

      expect(status).toBe(401);
      expect(body.detail).toBe(
        'The token could not be checked because the signing keys could not be fetched; retry later.',
      );
    } finally {
      await api.close();
    }
  });
});
