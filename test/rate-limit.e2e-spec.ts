import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import {
  deleteKeys,
  describeWithRedis,
  redisClient,
  TEST_REDIS_URL,
} from './support/redis.js';
import { newSecret, signHs256 } from './support/tokens.js';

const LIMITED = '/api/market/status';
/** A route whose cache hits take the fast path, which counts them itself. */
const FAST_PATH = '/api/quotes/AAPL';

/** Window length of the shared-counter tests: windows align to the epoch, so a long one rarely ends mid-test. */
const LONG_WINDOW_S = 3600;

/**
 * Waits until the current fixed window has at least `marginMs` left, so
 * that a test's requests all fall in one window.
 */
async function awayFromWindowEnd(
  windowS: number,
  marginMs: number,
): Promise<void> {
  const windowMs = windowS * 1000;
  const left = windowMs - (Date.now() % windowMs);
  if (left < marginMs)
    await new Promise((resolve) => setTimeout(resolve, left + 50));
}

/**
 * Sends `count` GET requests, at most `concurrency` at a time, spread over
 * `apps` in turn, and returns the status of each.
 */
async function load(
  apps: TestApp[],
  path: string,
  count: number,
  concurrency: number,
  headers: Record<string, string> = {},
): Promise<number[]> {
  const statuses: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      const app = apps[index % apps.length] as TestApp;
      const response = await app.request(path, { headers });
      await response.arrayBuffer();
      statuses.push(response.status);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));

  return statuses;
}

function countOf(statuses: number[], status: number): number {
  return statuses.filter((value) => value === status).length;
}

describe('rate limits in memory', () => {
  let api: TestApp;

  beforeAll(async () => {
    api = await startTestApp({
      env: { RATE_LIMIT_REQUESTS: '3', RATE_LIMIT_WINDOW: '60' },
    });
  });

  afterAll(async () => {
    await api.close();
  });

  it('sends the limit headers and then 429 with Retry-After', async () => {
    await awayFromWindowEnd(60, 5000);
    const first = await api.request(LIMITED);
    await first.arrayBuffer();
    for (let i = 0; i < 2; i++)
      await (await api.request(LIMITED)).arrayBuffer();
    const rejected = await api.json<{ code: string; detail: string }>(LIMITED);

    expect(first.status).toBe(200);
    expect(first.headers.get('x-ratelimit-limit')).toBe('3');
    expect(first.headers.get('x-ratelimit-remaining')).toBe('2');
    expect(Number(first.headers.get('x-ratelimit-reset'))).toBeGreaterThan(0);
    expect(Number(first.headers.get('x-ratelimit-reset'))).toBeLessThanOrEqual(
      60,
    );
    expect(rejected.status).toBe(429);
    expect(rejected.body.code).toBe('RATE_LIMITED');
    expect(rejected.response.headers.get('content-type')).toContain(
      'application/problem+json',
    );
    const retryAfter = Number(rejected.response.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(rejected.response.headers.get('x-ratelimit-limit')).toBe('3');
    expect(rejected.response.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(rejected.response.headers.get('x-ratelimit-reset')).toBe(
      String(retryAfter),
    );
  });

  it('never throttles health, readiness or metrics', async () => {
    await load([api], LIMITED, 10, 5);
    const paths = ['/health', '/health/live', '/health/ready', '/metrics'];
    const statuses = await Promise.all(
      [...paths, ...paths].map(async (path) => {
        const response = await api.request(path);
        await response.arrayBuffer();
        return response.status;
      }),
    );

    expect((await api.request(LIMITED)).status).toBe(429);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 200]);
  });
});

describe('rate limits per token subject and tier', () => {
  const secret = newSecret();
  let api: TestApp;

  beforeAll(async () => {
    api = await startTestApp({
      env: {
        JWT_SECRET: secret,
        RATE_LIMIT_REQUESTS: '2',
        RATE_LIMIT_TIERS: 'pro:5',
        RATE_LIMIT_WINDOW: '60',
      },
    });
  });

  afterAll(async () => {
    await api.close();
  });

  const statusesFor = async (token: string, count: number) =>
    load([api], LIMITED, count, 1, { authorization: `Bearer ${token}` });

  it('counts each subject apart, at its tier limit', async () => {
    await awayFromWindowEnd(60, 5000);
    const alice = await signHs256(secret, {
      subject: 'alice',
      scope: 'quotes:read',
    });
    const bob = await signHs256(secret, {
      subject: 'bob',
      scope: 'quotes:read',
    });
    const pro = await signHs256(secret, {
      subject: 'carol',
      scope: 'quotes:read',
      tier: 'pro',
    });

    expect(await statusesFor(alice, 3)).toEqual([200, 200, 429]);
    expect(await statusesFor(bob, 3)).toEqual([200, 200, 429]);
    expect(await statusesFor(pro, 6)).toEqual([200, 200, 200, 200, 200, 429]);
  });

  it('counts rejected tokens by client address', async () => {
    const statuses = await load([api], LIMITED, 4, 1, {
      authorization: 'Bearer not-a-token',
    });

    expect(statuses).toEqual([401, 401, 429, 429]);
  });
});

describe('rate limit of POST /auth/token', () => {
  let api: TestApp;

  beforeAll(async () => {
    api = await startTestApp({
      env: { JWT_SECRET: newSecret(), AUTH_TOKEN_RATE_LIMIT: '2' },
    });
  });

  afterAll(async () => {
    await api.close();
  });

  it('limits attempts per client address', async () => {
    await awayFromWindowEnd(60, 5000);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await api.request('/auth/token', {
        method: 'POST',
        headers: { 'x-api-key': `guess-${i}` },
      });
      await response.arrayBuffer();
      statuses.push(response.status);
    }

    expect(statuses).toEqual([401, 401, 429]);
  });
});

describe('client address behind proxies', () => {
  const apps: TestApp[] = [];

  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
  });

  const start = async (trustedProxies: string) => {
    const app = await startTestApp({
      env: {
        RATE_LIMIT_REQUESTS: '3',
        RATE_LIMIT_WINDOW: '60',
        TRUSTED_PROXIES: trustedProxies,
      },
    });
    apps.push(app);
    return app;
  };

  it('gives forwarded clients of a trusted proxy separate limits', async () => {
    await awayFromWindowEnd(60, 5000);
    const api = await start('127.0.0.1');
    const first = await load([api], LIMITED, 4, 1, {
      'x-forwarded-for': '203.0.113.5',
    });
    const second = await load([api], LIMITED, 4, 1, {
      'x-forwarded-for': '203.0.113.6',
    });

    expect(first).toEqual([200, 200, 200, 429]);
    expect(second).toEqual([200, 200, 200, 429]);
  });

  it('reads the client address past a chain of trusted proxies', async () => {
    await awayFromWindowEnd(60, 5000);
    const api = await start('127.0.0.1,10.0.0.0/8');
    const statuses = await load([api], LIMITED, 4, 1, {
      'x-forwarded-for': '198.51.100.7, 10.1.2.3',
    });
    const other = await load([api], LIMITED, 1, 1, {
      'x-forwarded-for': '198.51.100.8, 10.1.2.3',
    });

    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(other).toEqual([200]);
  });

  it('ignores forged X-Forwarded-For from an untrusted peer', async () => {
    await awayFromWindowEnd(60, 5000);
    const api = await start('10.0.0.0/8');
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const forged = await load([api], LIMITED, 1, 1, {
        'x-forwarded-for': `198.51.100.${i + 1}`,
      });
      statuses.push(...forged);
    }

    expect(statuses).toEqual([200, 200, 200, 429, 429]);
  });
});

describeWithRedis('rate limits shared through Redis', () => {
  const apps: TestApp[] = [];
  let prefix = '';

  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
    await deleteKeys(TEST_REDIS_URL, prefix);
  });

  const startPair = async (limit: number) => {
    prefix = `rl-test-${randomUUID().slice(0, 13)}`;
    const env = {
      REDIS_URL: TEST_REDIS_URL,
      CACHE_KEY_PREFIX: prefix,
      RATE_LIMIT_REQUESTS: String(limit),
      RATE_LIMIT_WINDOW: String(LONG_WINDOW_S),
      // The bounds hold while Redis responds; a test machine under load must
      // not turn a slow reply into a fallback to local counting.
      REDIS_COMMAND_TIMEOUT: '5',
    };
    apps.push(await startTestApp({ env }), await startTestApp({ env }));
    return apps;
  };

  it.each([LIMITED, FAST_PATH])(
    'lets exactly 5 of 500 concurrent requests to %s through two instances',
    async (path) => {
      await awayFromWindowEnd(LONG_WINDOW_S, 30_000);
      const pair = await startPair(5);

      const statuses = await load(pair, path, 500, 500);

      expect(countOf(statuses, 200)).toBe(5);
      expect(countOf(statuses, 429)).toBe(495);
    },
  );

  it.each([LIMITED, FAST_PATH])(
    'overshoots a limit of 10,000 on %s by at most 1% over two instances',
    async (path) => {
      await awayFromWindowEnd(LONG_WINDOW_S, 60_000);
      const limit = 10_000;
      const TOTAL = 10_500;
      const pair = await startPair(limit);

      const statuses = await load(pair, path, TOTAL, 100);
      const admitted = countOf(statuses, 200);

      // The documented bounds: no more than the limit while Redis responds, and
      // at most 1% of the limit per instance left unused in reservations.
      expect(admitted).toBeLessThanOrEqual(limit);
      expect(admitted).toBeGreaterThanOrEqual(limit - 2 * (limit / 100));
      expect(countOf(statuses, 429)).toBe(TOTAL - admitted);
      // Batched: the shared counter moved by reservations of 100, not by one
      // increment per request.
      const client = await redisClient(TEST_REDIS_URL);
      try {
        const keys = await client.keys(`${prefix}:ratelimit:*`);
        expect(keys).toHaveLength(1);
        const total = Number(await client.get(keys[0] ?? ''));
        expect(total).toBeGreaterThanOrEqual(limit);
        expect(total).toBeLessThanOrEqual(limit + 2 * (limit / 100));
      } finally {
        await client.close();
      }
    },
    120_000,
  );
});
