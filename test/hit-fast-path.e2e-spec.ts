import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  afterAll,
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
  vi,
} from 'vitest';
import type * as sentHeaders from '../src/cache/sent-headers.js';
import { writeSent } from '../src/cache/sent-headers.js';
import { startTestApp, type TestApp } from './support/app.js';
import {
  countQuoteHandlerCalls,
  headerOf,
  readWhole,
  stableHeaders,
} from './support/fast-path.js';
import {
  deleteKeys,
  describeWithRedis,
  redisClient,
  TEST_REDIS_URL,
} from './support/redis.js';
import { newSecret, signHs256 } from './support/tokens.js';

// Wrapped in a spy, so tests can tell direct writes from sends through the hooks.
vi.mock('../src/cache/sent-headers.js', async (importOriginal) => {
  const original = await importOriginal<typeof sentHeaders>();
  return {
    ...original,
    writeSent: vi.fn<typeof sentHeaders.writeSent>(original.writeSent),
  };
});

const QUOTE = '/api/quotes/AAPL';

const handlerCalls = countQuoteHandlerCalls();

function bearer(token: string): RequestInit {
  return { headers: { authorization: `Bearer ${token}` } };
}

describe('the fast path for cache hits', () => {
  const secret = newSecret();
  let api: TestApp;
  let token: string;

  beforeAll(async () => {
    api = await startTestApp({
      env: {
        JWT_SECRET: secret,
        JWT_CLOCK_TOLERANCE: '0',
        RATE_LIMIT_REQUESTS: '1000',
        RATE_LIMIT_WINDOW: '3600',
      },
    });
    token = await signHs256(secret, { scope: 'quotes:read' });
  });

  afterAll(async () => {
    await api.close();
  });

  it('matches the pipeline without the handler', async () => {
    const miss = await readWhole(await api.request(QUOTE, bearer(token)));
    // Another spelling of the symbol takes the full pipeline to the same entry.
    const pipelineHit = await readWhole(
      await api.request('/api/quotes/aapl', bearer(token)),
    );
    const handledBefore = handlerCalls();
    const fastHits = await Promise.all(
      Array.from({ length: 20 }, async () =>
        readWhole(await api.request(QUOTE, bearer(token))),
      ),
    );

    expect(miss.status).toBe(200);
    expect(new Map(miss.headers).get('x-cache')).toBe('MISS');
    expect(pipelineHit.status).toBe(200);
    expect(new Map(pipelineHit.headers).get('x-cache')).toBe('HIT');
    expect(handledBefore).toBe(2);
    expect(handlerCalls()).toBe(handledBefore);
    for (const hit of fastHits) {
      expect(hit.status).toBe(200);
      expect(hit.body).toBe(pipelineHit.body);
      expect(stableHeaders(hit.headers)).toEqual(
        stableHeaders(pipelineHit.headers),
      );
      expect(new Map(hit.headers).get('x-request-id')).toMatch(/\S/);
    }
    // Every fast response took its own permit of the rate limit.
    const remaining = fastHits
      .map((hit) => Number(new Map(hit.headers).get('x-ratelimit-remaining')))
      .sort((a, b) => a - b);
    expect(new Set(remaining).size).toBe(fastHits.length);
  });

  it('sends 304 for a matching ETag', async () => {
    const first = await api.request(QUOTE, bearer(token));
    await first.arrayBuffer();
    const etag = first.headers.get('etag') ?? '';

    const again = await api.request(QUOTE, {
      headers: { authorization: `Bearer ${token}`, 'if-none-match': etag },
    });

    expect(etag).toMatch(/^".+"$/);
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
  });

  it('leaves bad tokens to the guards', async () => {
    await (await api.request(QUOTE, bearer(token))).arrayBuffer();
    const noScope = await signHs256(secret, { scope: 'history:read' });
    const forged = await signHs256(newSecret(), { scope: 'quotes:read' });

    const missing = await api.json<{ code: string }>(QUOTE);
    const badSignature = await api.json<{ code: string }>(
      QUOTE,
      bearer(forged),
    );
    // The first check verifies the token and keeps it, so the second finds
    // it kept.
    const wrongScope = await api.json<{ code: string; detail: string }>(
      QUOTE,
      bearer(noScope),
    );
    const wrongScopeAgain = await api.request(QUOTE, bearer(noScope));
    await wrongScopeAgain.arrayBuffer();

    expect(missing.status).toBe(401);
    expect(missing.body.code).toBe('UNAUTHORIZED');
    expect(badSignature.status).toBe(401);
    expect(wrongScope.status).toBe(403);
    expect(wrongScope.body.detail).toContain('quotes:read');
    expect(wrongScopeAgain.status).toBe(403);
  });

  it('rejects a token once it expires', async () => {
    const shortLived = await signHs256(secret, {
      scope: 'quotes:read',
      expiresIn: 2,
    });
    const before = await api.request(QUOTE, bearer(shortLived));
    await before.arrayBuffer();
    const hit = await api.request(QUOTE, bearer(shortLived));
    await hit.arrayBuffer();
    await sleep(2100);

    const after = await api.json<{ code: string; detail: string }>(
      QUOTE,
      bearer(shortLived),
    );

    expect(before.status).toBe(200);
    expect(hit.status).toBe(200);
    expect(after.status).toBe(401);
    expect(after.body.code).toBe('TOKEN_EXPIRED');
    expect(after.response.headers.get('www-authenticate')).toContain(
      'the token expired',
    );
  });

  it('counts hits in both metrics', async () => {
    const hitsOf = async () => {
      const text = await (await api.request('/metrics')).text();
      const hits = /^cache_hits_total\{kind="quote"\} (\d+)$/m.exec(text);
      const requests = text
        .split('\n')
        .filter(
          (line) =>
            line.startsWith('api_requests_total{') &&
            line.includes('route="/api/quotes/:symbol"') &&
            line.includes('status="200"'),
        )
        .map((line) => Number(line.split(' ').at(-1)))
        .reduce((sum, value) => sum + value, 0);
      return { hits: Number(hits?.[1]), requests };
    };
    await (await api.request(QUOTE, bearer(token))).arrayBuffer();
    const before = await hitsOf();

    for (let i = 0; i < 5; i++)
      await (await api.request(QUOTE, bearer(token))).arrayBuffer();
    const after = await hitsOf();

    expect(after.hits - before.hits).toBe(5);
    expect(after.requests - before.requests).toBe(5);
  });
});

describe('the fast path without the send hooks', () => {
  let api: TestApp;

  beforeEach(async () => {
    vi.mocked(writeSent).mockClear();
    api = await startTestApp({
      env: { RATE_LIMIT_REQUESTS: '1000', RATE_LIMIT_WINDOW: '3600' },
    });
  });

  afterEach(async () => {
    await api.close();
  });

  it('writes recorded headers directly', async () => {
    await (await api.request(QUOTE)).arrayBuffer();
    const throughHooks = await readWhole(await api.request(QUOTE));
    expect(writeSent).not.toHaveBeenCalled();

    const direct = [];
    for (let i = 0; i < 10; i++)
      direct.push(await readWhole(await api.request(QUOTE)));

    expect(writeSent).toHaveBeenCalledTimes(10);
    expect(handlerCalls()).toBe(1);
    expect(headerOf(throughHooks, 'x-cache')).toBe('HIT');
    for (const response of direct) {
      expect(response.status).toBe(200);
      expect(response.body).toBe(throughHooks.body);
      expect(stableHeaders(response.headers)).toEqual(
        stableHeaders(throughHooks.headers),
      );
    }
    // Each response carries its own request id and rate-limit count.
    const ids = direct.map((response) => headerOf(response, 'x-request-id'));
    expect(new Set(ids).size).toBe(direct.length);
    expect(
      direct.map((response) => headerOf(response, 'x-ratelimit-remaining')),
    ).toEqual([
      '997',
      '996',
      '995',
      '994',
      '993',
      '992',
      '991',
      '990',
      '989',
      '988',
    ]);
  });

  it('uses the hooks for other request headers', async () => {
    const gzip: RequestInit = { headers: { 'accept-encoding': 'gzip' } };
    await (await api.request(QUOTE)).arrayBuffer();
    await (await api.request(QUOTE)).arrayBuffer();
    await (await api.request(QUOTE)).arrayBuffer();
    expect(writeSent).toHaveBeenCalledTimes(1);

    const firstGzip = await readWhole(await api.request(QUOTE, gzip));
    const etag = headerOf(firstGzip, 'etag') ?? '';
    const revalidated = await api.request(QUOTE, {
      headers: { 'accept-encoding': 'gzip', 'if-none-match': etag },
    });
    await revalidated.arrayBuffer();
    expect(writeSent).toHaveBeenCalledTimes(1);
    const secondGzip = await readWhole(await api.request(QUOTE, gzip));

    expect(writeSent).toHaveBeenCalledTimes(2);
    expect(revalidated.status).toBe(304);
    expect(firstGzip.status).toBe(200);
    expect(secondGzip.body).toBe(firstGzip.body);
    expect(stableHeaders(secondGzip.headers)).toEqual(
      stableHeaders(firstGzip.headers),
    );
  });
});

describe('the fast path and the rate limit', () => {
  let api: TestApp;

  afterEach(async () => {
    await api.close();
  });

  it('counts down to 429', async () => {
    api = await startTestApp({
      env: { RATE_LIMIT_REQUESTS: '5', RATE_LIMIT_WINDOW: '3600' },
    });

    const responses = [];
    for (let i = 0; i < 7; i++) {
      const response = await api.request(QUOTE);
      await response.arrayBuffer();
      responses.push(response);
    }

    expect(responses.map((response) => response.status)).toEqual([
      200, 200, 200, 200, 200, 429, 429,
    ]);
    expect(
      responses.map((response) =>
        response.headers.get('x-ratelimit-remaining'),
      ),
    ).toEqual(['4', '3', '2', '1', '0', '0', '0']);
    expect(Number(responses[5]?.headers.get('retry-after'))).toBeGreaterThan(0);
    // The first took the full pipeline, and the other admitted ones did not.
    expect(handlerCalls()).toBe(1);
  });
});

describe('the fast path and a changed entry', () => {
  let api: TestApp;

  afterEach(async () => {
    await api.close();
  });

  it('reloads once the entry expires', async () => {
    api = await startTestApp({
      env: { CACHE_MEMORY_TTL: '1', CACHE_TTL_QUOTE: '1' },
    });
    await (await api.request(QUOTE)).arrayBuffer();
    await (await api.request(QUOTE)).arrayBuffer();
    expect(handlerCalls()).toBe(1);
    await sleep(1100);

    const reloaded = await api.request(QUOTE);
    await reloaded.arrayBuffer();

    expect(reloaded.status).toBe(200);
    expect(reloaded.headers.get('x-cache')).toBe('MISS');
    expect(handlerCalls()).toBe(2);
  });
});

describeWithRedis('the fast path with the memory tier off', () => {
  const apps: TestApp[] = [];
  let prefix = '';

  beforeEach(async () => {
    prefix = `fast-path-test-${randomUUID().slice(0, 13)}`;
    const env = {
      REDIS_URL: TEST_REDIS_URL,
      CACHE_KEY_PREFIX: prefix,
      CACHE_MEMORY_TTL: '0',
    };
    apps.push(await startTestApp({ env }), await startTestApp({ env }));
  });

  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
    await deleteKeys(TEST_REDIS_URL, prefix);
  });

  it('serves while Redis is unchanged', async () => {
    const [first] = apps as [TestApp];
    const miss = await readWhole(await first.request(QUOTE));
    const hits = [];
    for (let i = 0; i < 5; i++)
      hits.push(await readWhole(await first.request(QUOTE)));

    expect(new Map(miss.headers).get('x-cache')).toBe('MISS');
    // Only the miss ran the handler.
    expect(handlerCalls()).toBe(1);
    for (const hit of hits) {
      expect(hit.body).toBe(miss.body);
      expect(new Map(hit.headers).get('x-cache')).toBe('HIT');
    }
  });

  it("follows another instance's entry", async () => {
    const [first, second] = apps as [TestApp, TestApp];
    await (await first.request(QUOTE)).arrayBuffer();
    await (await first.request(QUOTE)).arrayBuffer();
    await (await first.request(QUOTE)).arrayBuffer();
    const client = await redisClient(TEST_REDIS_URL);
    try {
      const keys = (await client.keys(`${prefix}:*quote*`)).filter(
        (key) => !key.includes(':lock:'),
      );
      expect(keys).toHaveLength(1);
      await client.del(keys);
    } finally {
      await client.close();
    }
    const handledBefore = handlerCalls();

    const written = await readWhole(await second.request(QUOTE));
    const followed = await readWhole(await first.request(QUOTE));

    expect(new Map(written.headers).get('x-cache')).toBe('MISS');
    expect(new Map(followed.headers).get('x-cache')).toBe('HIT');
    expect(followed.body).toBe(written.body);
    // The first instance did not send its kept response: its handler
    // read the new entry.
    expect(handlerCalls()).toBe(handledBefore + 2);
  });
});
