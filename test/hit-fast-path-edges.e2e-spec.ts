import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { LRUCache } from 'lru-cache';
import { HitFastPath } from '../src/cache/hit-fast-path.service.js';
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
  type OwnRedis,
  redisClient,
  startOwnRedis,
  TEST_REDIS_URL,
} from './support/redis.js';
import { newSecret, signHs256 } from './support/tokens.js';

/** A crypto pair trades around the clock, so each load gives a new asOf. */
const CRYPTO = '/api/quotes/BTC-USD';
/** Another spelling of CRYPTO, so its first request takes the full pipeline. */
const CRYPTO_LOWER = '/api/quotes/btc-usd';

const handlerCalls = countQuoteHandlerCalls();

/** Reads freshUntil of the one quote entry stored under `prefix`. */
async function freshUntilInRedis(url: string, prefix: string) {
  const client = await redisClient(url);
  try {
    const keys = (await client.keys(`${prefix}:*quote*`)).filter(
      (key) => !key.includes(':lock:'),
    );
    expect(keys).toHaveLength(1);
    const raw = (await client.get(keys[0] ?? '')) ?? '';
    const match = /"freshUntil":(\d+)/.exec(raw);
    expect(match).not.toBeNull();

    return Number(match?.[1]);
  } finally {
    await client.close();
  }
}

describe('fast path headers', () => {
  let api: TestApp;

  afterEach(async () => {
    await api.close();
  });

  it('match the pipeline with CORS and gzip', async () => {
    api = await startTestApp({
      env: { CORS_ORIGINS: 'https://app.example.com' },
    });
    const headers = {
      origin: 'https://app.example.com',
      'accept-encoding': 'gzip, br',
    };
    const init: RequestInit = { headers };
    await (await api.request(CRYPTO, init)).arrayBuffer();

    const pipelineHit = await readWhole(await api.request(CRYPTO_LOWER, init));
    const handledBefore = handlerCalls();
    const fastHit = await readWhole(await api.request(CRYPTO_LOWER, init));
    // The second fast hit is written with the headers the first one got.
    const directHit = await readWhole(await api.request(CRYPTO_LOWER, init));
    const otherOrigin = await readWhole(
      await api.request(CRYPTO_LOWER, {
        headers: { ...headers, origin: 'https://other.example.com' },
      }),
    );

    expect(handledBefore).toBe(2);
    expect(handlerCalls()).toBe(handledBefore);
    expect(headerOf(pipelineHit, 'access-control-allow-origin')).toBe(
      'https://app.example.com',
    );
    for (const hit of [fastHit, directHit]) {
      expect(hit.status).toBe(pipelineHit.status);
      expect(hit.body).toBe(pipelineHit.body);
      expect(stableHeaders(hit.headers)).toEqual(
        stableHeaders(pipelineHit.headers),
      );
    }
    expect(otherOrigin.status).toBe(200);
    expect(headerOf(otherOrigin, 'access-control-allow-origin')).toBe(
      undefined,
    );
  });

  it('leave HEAD to the pipeline', async () => {
    api = await startTestApp();
    await (await api.request(CRYPTO)).arrayBuffer();
    const headBefore = await readWhole(
      await api.request(CRYPTO, { method: 'HEAD' }),
    );
    await (await api.request(CRYPTO)).arrayBuffer();

    const handledBefore = handlerCalls();
    const headAfter = await readWhole(
      await api.request(CRYPTO, { method: 'HEAD' }),
    );

    expect(headAfter.status).toBe(200);
    expect(headAfter.body).toBe('');
    expect(stableHeaders(headAfter.headers)).toEqual(
      stableHeaders(headBefore.headers),
    );
    expect(handlerCalls()).toBe(handledBefore + 1);
  });
});

describe('fast path rate limits', () => {
  const secret = newSecret();
  let api: TestApp;

  afterEach(async () => {
    await api.close();
  });

  it('count a tier down to 429', async () => {
    api = await startTestApp({
      env: {
        JWT_SECRET: secret,
        RATE_LIMIT_REQUESTS: '1000',
        RATE_LIMIT_TIERS: 'free:3',
        RATE_LIMIT_WINDOW: '3600',
      },
    });
    const token = await signHs256(secret, {
      scope: 'quotes:read',
      tier: 'free',
      subject: `tier-${randomUUID()}`,
    });
    const init = { headers: { authorization: `Bearer ${token}` } };

    const responses = [];
    for (let i = 0; i < 5; i++)
      responses.push(await readWhole(await api.request(CRYPTO, init)));

    expect(responses.map((response) => response.status)).toEqual([
      200, 200, 200, 429, 429,
    ]);
    expect(
      responses.map((response) => headerOf(response, 'x-ratelimit-limit')),
    ).toEqual(['3', '3', '3', '3', '3']);
    expect(
      responses
        .slice(0, 3)
        .map((response) => headerOf(response, 'x-ratelimit-remaining')),
    ).toEqual(['2', '1', '0']);
    expect(handlerCalls()).toBe(1);
  });

  it('send no headers for a limit of 0', async () => {
    api = await startTestApp({ env: { RATE_LIMIT_REQUESTS: '0' } });

    const responses = [];
    for (let i = 0; i < 3; i++)
      responses.push(await readWhole(await api.request(CRYPTO)));

    for (const response of responses) {
      expect(response.status).toBe(200);
      expect(headerOf(response, 'x-ratelimit-limit')).toBeUndefined();
    }
    expect(handlerCalls()).toBe(1);
  });

  it('send no counts to an unlimited tier', async () => {
    api = await startTestApp({
      env: {
        JWT_SECRET: secret,
        RATE_LIMIT_REQUESTS: '1000',
        RATE_LIMIT_TIERS: 'free:100,pro:0',
        RATE_LIMIT_WINDOW: '3600',
      },
    });
    const bearerOf = async (tier: string) => ({
      headers: {
        authorization: `Bearer ${await signHs256(secret, {
          scope: 'quotes:read',
          tier,
          subject: `${tier}-${randomUUID()}`,
        })}`,
      },
    });
    const free = await bearerOf('free');
    const pro = await bearerOf('pro');
    await (await api.request(CRYPTO, free)).arrayBuffer();
    // This hit goes through the hooks, which record its headers.
    const freeHit = await readWhole(await api.request(CRYPTO, free));
    await (await api.request(CRYPTO, pro)).arrayBuffer();

    // The token is verified now, so this hit is written with those headers.
    const proHit = await readWhole(await api.request(CRYPTO, pro));

    expect(headerOf(freeHit, 'x-ratelimit-limit')).toBe('100');
    expect(proHit.status).toBe(200);
    expect(headerOf(proHit, 'x-cache')).toBe('HIT');
    expect(headerOf(proHit, 'x-ratelimit-limit')).toBeUndefined();
    expect(headerOf(proHit, 'x-ratelimit-remaining')).toBeUndefined();
    expect(handlerCalls()).toBe(2);
  });
});

describe('fast path memory', () => {
  let api: TestApp;

  afterEach(async () => {
    await api.close();
  });

  it('stays bounded for query variants', async () => {
    api = await startTestApp({ env: { RATE_LIMIT_REQUESTS: '0' } });
    // Fastify parses a query of only '&' to {}, which the route accepts, so
    // each of these URLs gets a 200 and a kept response of its own.
    const variants = Array.from(
      { length: 200 },
      (_, i) => `${CRYPTO}?${'&'.repeat(8000 + i)}`,
    );

    const statuses = [];
    for (const url of variants) {
      const response = await api.request(url);
      await response.arrayBuffer();
      statuses.push(response.status);
    }
    const fastPath: object = api.app.get(HitFastPath);
    const keptResponses = (fastPath as { responses: LRUCache<string, object> })
      .responses;
    let keyBytes = 0;
    for (const key of keptResponses.keys()) keyBytes += key.length;

    expect(statuses.every((status) => status === 200)).toBe(true);
    // One quote entry should not hold megabytes of URLs.
    expect(keyBytes).toBeLessThan(100_000);
  }, 60_000);
});

describeWithRedis('fast path rate limits across instances', () => {
  const apps: TestApp[] = [];
  let prefix = '';

  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
    await deleteKeys(TEST_REDIS_URL, prefix);
  });

  it('admit no more than the limit in total', async () => {
    prefix = `fast-path-edges-${randomUUID().slice(0, 13)}`;
    // 400 gives reservations of 4, so the fast path admits from permits.
    const env = {
      REDIS_URL: TEST_REDIS_URL,
      CACHE_KEY_PREFIX: prefix,
      RATE_LIMIT_REQUESTS: '400',
      RATE_LIMIT_WINDOW: '3600',
    };
    apps.push(await startTestApp({ env }), await startTestApp({ env }));
    const [first, second] = apps as [TestApp, TestApp];

    const statuses: number[] = [];
    for (let i = 0; i < 220; i++) {
      const batch = await Promise.all([
        first.request(CRYPTO),
        second.request(CRYPTO),
      ]);
      for (const response of batch) {
        await response.arrayBuffer();
        statuses.push(response.status);
      }
    }
    const admitted = statuses.filter((status) => status === 200).length;
    const rejected = statuses.filter((status) => status === 429).length;

    expect(admitted + rejected).toBe(440);
    expect(admitted).toBeLessThanOrEqual(400);
    // Up to 1% of the limit per instance may stay reserved and unused.
    expect(admitted).toBeGreaterThanOrEqual(392);
    // Most of the admitted requests never reached the handler.
    expect(handlerCalls()).toBeLessThan(20);
  }, 60_000);
});

describe('fast path with the memory tier off and a slow Redis', () => {
  let redis: OwnRedis | null = null;
  let api: TestApp | null = null;

  afterEach(async () => {
    redis?.resume();
    await api?.close();
    await redis?.stop();
    api = null;
    redis = null;
  });

  /**
   * Starts a redis-server of the test's own and an app on it with the memory
   * tier off and no rate limit.
   */
  const startOnOwnRedis = async (env: Record<string, string> = {}) => {
    const server = await startOwnRedis();
    redis = server;
    const prefix = `fast-path-edges-${randomUUID().slice(0, 13)}`;
    const app = await startTestApp({
      env: {
        REDIS_URL: server.url,
        CACHE_KEY_PREFIX: prefix,
        CACHE_MEMORY_TTL: '0',
        RATE_LIMIT_REQUESTS: '0',
        ...env,
      },
    });
    api = app;

    return { app, server, prefix };
  };

  it('falls back to the pipeline when Redis stops', async () => {
    const { app, server } = await startOnOwnRedis();
    await readWhole(await app.request(CRYPTO));
    const during = await Promise.all(
      Array.from({ length: 100 }, async (_, i) => {
        if (i === 50) await server.stop();
        return readWhole(await app.request(CRYPTO));
      }),
    );
    const after = [];
    for (let i = 0; i < 5; i++)
      after.push(await readWhole(await app.request(CRYPTO)));

    for (const response of [...during, ...after])
      expect(response.status).toBe(200);
    for (const response of after)
      expect(headerOf(response, 'x-cache')).toBe('MISS');
  }, 30_000);

  it('sends no HIT once the entry expired', async () => {
    const { app, server, prefix } = await startOnOwnRedis({
      CACHE_TTL_QUOTE: '2',
      // The pause below stays well within the command timeout.
      REDIS_COMMAND_TIMEOUT: '5',
    });
    const miss = await readWhole(await app.request(CRYPTO));
    // The first fast hit decodes the stored form, and later ones compare the bytes.
    for (let i = 0; i < 2; i++) await readWhole(await app.request(CRYPTO));
    expect(handlerCalls()).toBe(1);
    const freshUntil = await freshUntilInRedis(server.url, prefix);
    await sleep(Math.max(0, freshUntil - Date.now() - 200));

    // Both requests arrive before freshUntil, and Redis replies after it.
    server.pause();
    const fastRequest = app.request(CRYPTO);
    const pipelineRequest = app.request(CRYPTO_LOWER);
    await sleep(Math.max(0, freshUntil - Date.now() + 300));
    server.resume();
    const fast = await readWhole(await fastRequest);
    const pipeline = await readWhole(await pipelineRequest);

    expect(pipeline.status).toBe(200);
    expect(pipeline.body).not.toBe(miss.body);
    expect(fast.status).toBe(200);
    expect(fast.body).toBe(pipeline.body);
  }, 30_000);
});
