import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { fixture, route, useFakeUpstream } from './support/fake-upstream.js';
import {
  deleteKeys,
  describeWithRedis,
  redisClient,
  TEST_REDIS_URL,
} from './support/redis.js';
import { startMarketCache } from './support/market-cache.js';
import { describeWithTestData } from './support/test-data.js';

const KEY = 'av-cache-secret';
const upstream = useFakeUpstream();
const prefixes: string[] = [];
let apps: TestApp[] = [];

/** Returns a key prefix of its own, so each test starts cold on the shared Redis. */
function freshPrefix(): string {
  const prefix = `mda-test-${randomBytes(6).toString('hex')}`;
  prefixes.push(prefix);
  return prefix;
}

async function startApps(
  count: number,
  env: Record<string, string>,
): Promise<TestApp[]> {
  const started = await Promise.all(
    Array.from({ length: count }, () => startTestApp({ env })),
  );
  apps.push(...started);
  return started;
}

function cacheEnv(
  prefix: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    REDIS_URL: TEST_REDIS_URL,
    CACHE_KEY_PREFIX: prefix,
    ALPHA_VANTAGE_KEY: KEY,
    ALPHA_VANTAGE_BASE_URL: upstream().baseUrl,
    ALPHA_VANTAGE_QUOTA_PER_SECOND: '0',
    ALPHA_VANTAGE_QUOTA_PER_DAY: '0',
    QUOTE_PROVIDERS: 'alpha_vantage',
    UPSTREAM_RETRIES: '0',
    ...extra,
  };
}

/** Serves the recorded MSFT quote, after `delayMs`. */
function serveQuote(delayMs = 0): void {
  upstream().setRoutes([
    route(
      '/query',
      { function: 'GLOBAL_QUOTE' },
      { body: fixture('alphavantage/global_quote_MSFT.json'), delayMs },
    ),
  ]);
}

function failUpstream(): void {
  upstream().setRoutes([route('/query', {}, { status: 503, body: 'down' })]);
}

const quoteCalls = () =>
  upstream().calls.filter((call) => call.query.function === 'GLOBAL_QUOTE')
    .length;

afterEach(async () => {
  await Promise.all(apps.map((app) => app.close()));
  apps = [];
});

afterAll(async () => {
  for (const prefix of prefixes) await deleteKeys(TEST_REDIS_URL, prefix);
});

describeWithTestData('the shared cache', () => {
  describeWithRedis('on Redis', () => {
    it('shares entries between instances, byte for byte', async () => {
      serveQuote();
      const [first, second] = await startApps(2, cacheEnv(freshPrefix()));
      const miss = await first!.request('/api/quotes/MSFT');
      const hit = await second!.request('/api/quotes/msft');
      expect(miss.headers.get('x-cache')).toBe('MISS');
      expect(hit.headers.get('x-cache')).toBe('HIT');
      expect(await hit.text()).toBe(await miss.text());
      expect(hit.headers.get('etag')).toBe(miss.headers.get('etag'));
      expect(quoteCalls()).toBe(1);
    });

    it('makes one upstream call for 200 concurrent requests to one instance', async () => {
      serveQuote(300);
      const [app] = await startApps(1, cacheEnv(freshPrefix()));
      const responses = await Promise.all(
        Array.from({ length: 200 }, () => app!.request('/api/quotes/MSFT')),
      );
      const outcomes = responses.map((response) =>
        response.headers.get('x-cache'),
      );
      expect(responses.every((response) => response.status === 200)).toBe(true);
      expect(quoteCalls()).toBe(1);
      expect(outcomes.filter((outcome) => outcome === 'MISS')).toHaveLength(1);
    });

    it('makes one upstream call for 200 concurrent requests over three instances', async () => {
      serveQuote(300);
      const instances = await startApps(3, cacheEnv(freshPrefix()));
      const responses = await Promise.all(
        Array.from({ length: 200 }, (_, index) =>
          instances[index % 3]!.request('/api/quotes/MSFT'),
        ),
      );
      const bodies = await Promise.all(
        responses.map((response) => response.text()),
      );
      expect(responses.every((response) => response.status === 200)).toBe(true);
      expect(new Set(bodies).size).toBe(1);
      expect(quoteCalls()).toBe(1);
      const health = await instances[1]!.json<{
        services: { cache: { counters: { quote: { waits: number } } } };
      }>('/health/ready');
      expect(health.body.services.cache.counters.quote.waits).toBeGreaterThan(
        0,
      );
    });

    it('expires a quote after its TTL', async () => {
      serveQuote();
      const prefix = freshPrefix();
      const [app] = await startApps(
        1,
        cacheEnv(prefix, { CACHE_TTL_QUOTE: '5', CACHE_STALE_GRACE: '2' }),
      );
      const first = await app!.request('/api/quotes/MSFT');
      const loadedAt = Date.now();
      expect(first.headers.get('x-cache')).toBe('MISS');
      const redis = await redisClient(TEST_REDIS_URL);
      const ttl = await redis.pTTL(`${prefix}:v1:quote:MSFT?asset=equity`);
      await redis.close();
      expect(ttl).toBeGreaterThan(6000);
      expect(ttl).toBeLessThanOrEqual(7000);

      await sleep(loadedAt + 4500 - Date.now());
      const within = await app!.request('/api/quotes/MSFT');
      expect(within.headers.get('x-cache')).toBe('HIT');
      expect(quoteCalls()).toBe(1);

      await sleep(loadedAt + 5100 - Date.now());
      const after = await app!.request('/api/quotes/MSFT');
      expect(after.headers.get('x-cache')).toBe('MISS');
      expect(quoteCalls()).toBe(2);
    });

    it('serves an expired quote as stale while every source fails', async () => {
      serveQuote();
      const [app] = await startApps(
        1,
        cacheEnv(freshPrefix(), {
          CACHE_TTL_QUOTE: '1',
          CACHE_STALE_GRACE: '60',
        }),
      );
      const fresh = await app!.json('/api/quotes/MSFT');
      await sleep(1100);
      failUpstream();
      const stale = await app!.json('/api/quotes/MSFT');
      expect(stale.status).toBe(200);
      expect(stale.response.headers.get('x-cache')).toBe('STALE');
      expect(stale.body).toEqual({ ...fresh.body, stale: true });

      serveQuote();
      const recovered = await app!.json('/api/quotes/MSFT');
      expect(recovered.response.headers.get('x-cache')).toBe('MISS');
      expect(recovered.body.stale).toBe(false);
    });

    it('never caches an error or a rate-limit notice', async () => {
      const [app] = await startApps(1, cacheEnv(freshPrefix()));
      failUpstream();
      const failed = await app!.json('/api/quotes/MSFT');
      expect(failed.status).toBe(503);
      upstream().setRoutes([
        route(
          '/query',
          {},
          {
            body: JSON.stringify({
              Information:
                'Thank you for using Alpha Vantage! Our standard API rate limit is 25 requests per day.',
            }),
          },
        ),
      ]);
      const limited = await app!.json<{ code: string }>('/api/quotes/MSFT');
      expect(limited.body.code).toBe('QUOTA_EXHAUSTED');
      serveQuote();
      const served = await app!.json('/api/quotes/MSFT');
      expect(served.status).toBe(200);
      expect(served.response.headers.get('x-cache')).toBe('MISS');
      expect(quoteCalls()).toBe(3);
    });

    it('reports the cache as up in health', async () => {
      const [app] = await startApps(1, cacheEnv(freshPrefix()));
      const health = await app!.json<{
        services: { redis: { status: string }; cache: { status: string } };
      }>('/health/ready');
      expect(health.status).toBe(200);
      expect(health.body.services.redis.status).toBe('up');
      expect(health.body.services.cache.status).toBe('up');
    });
  });
});

describeWithRedis('values read back from Redis', () => {
  it('equal the values written, to the last digit', async () => {
    const prefix = freshPrefix();
    const env = { REDIS_URL: TEST_REDIS_URL, CACHE_KEY_PREFIX: prefix };
    const writer = await startMarketCache(env);
    const reader = await startMarketCache(env);
    const value = {
      symbol: 'BRK.A',
      asOf: Date.parse('2024-03-15T19:59:58.123Z'),
      date: '2024-03-15',
      price: 621_143.07,
      change: -0.1 - 0.2,
      volume: Number.MAX_SAFE_INTEGER,
      tiny: 5e-324,
      huge: 1.7976931348623157e308,
      bid: null,
      name: 'Société Générale — 株式 ✓',
      bars: [{ time: 0, open: 1.0000000000000002, complete: false }],
      events: [],
      nested: { empty: {}, flag: true },
    };
    try {
      const key = 'v1:quote:BRK.A';
      const written = await writer.cache.get({
        kind: 'quote',
        key,
        load: () => Promise.resolve(value),
      });
      const read = await reader.cache.get({
        kind: 'quote',
        key,
        load: () =>
          Promise.reject(new Error('the value should come from Redis')),
      });
      expect(written.outcome).toBe('MISS');
      expect(read.outcome).toBe('HIT');
      expect(read.value).toStrictEqual(value);
      expect(JSON.stringify(read.value)).toBe(JSON.stringify(value));
    } finally {
      await writer.close();
      await reader.close();
    }
  });
});
