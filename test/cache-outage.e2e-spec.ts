import { setTimeout as sleep } from 'node:timers/promises';
import { ConsoleLogger, Logger, type LoggerService } from '@nestjs/common';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import {
  REDIS_SERVER_PATH,
  redisClient,
  startOwnRedis,
  type OwnRedis,
} from './support/redis.js';
import { describeWithTool } from './support/system-tools.js';

/** Maximum time a request may take while Redis is down, paused or restarting. */
const BOUND_MS = 1000;
const SYMBOLS = ['AAPL', 'MSFT', 'KO', 'NVDA'];
const PREFIX = 'mda-outage';

interface Health {
  services: { redis: { status: string }; cache: { status: string } };
}

const lines: string[] = [];
const recorder: LoggerService = {
  log: (message: unknown) => lines.push(`log ${String(message)}`),
  warn: (message: unknown) => lines.push(`warn ${String(message)}`),
  error: (message: unknown) => lines.push(`error ${String(message)}`),
};

let redis: OwnRedis;
let api: TestApp;

/** Requests a quote and returns its status and how long it took. */
async function timedQuote(symbol: string, from: TestApp = api) {
  const started = performance.now();
  const response = await from.request(`/api/quotes/${symbol}`);
  await response.arrayBuffer();

  return { status: response.status, ms: performance.now() - started };
}

/** Keeps requesting quotes until the cache reports Redis usable again. */
async function untilCacheUp(): Promise<void> {
  const until = Date.now() + 10_000;
  for (let round = 0; Date.now() < until; round += 1) {
    await timedQuote(SYMBOLS[round % SYMBOLS.length]!);
    const health = await api.json<Health>('/health/ready');
    if (health.body.services.cache.status === 'up') return;
    await sleep(200);
  }
  throw new Error('the cache did not report Redis as up within 10 s');
}

/** True once the quote of `symbol` sits in this test's Redis. */
async function storedInRedis(symbol: string): Promise<boolean> {
  const client = await redisClient(redis.url);
  try {
    return (
      (await client.exists(`${PREFIX}:v1:quote:${symbol}?asset=equity`)) === 1
    );
  } finally {
    await client.close();
  }
}

describeWithTool(
  'redis-server',
  REDIS_SERVER_PATH,
  'the cache during Redis outages',
  () => {
    beforeAll(async () => {
      redis = await startOwnRedis();
      api = await startTestApp({
        env: {
          REDIS_URL: redis.url,
          CACHE_KEY_PREFIX: PREFIX,
          QUOTE_PROVIDERS: 'simulated',
          CACHE_MEMORY_TTL: '1',
          REDIS_COMMAND_TIMEOUT: '0.2',
        },
      });
      Logger.overrideLogger(recorder);
    });

    afterEach(() => {
      lines.length = 0;
    });

    afterAll(async () => {
      Logger.overrideLogger(
        new ConsoleLogger({ logLevels: ['fatal', 'error'] }),
      );
      redis.resume();
      await api.close();
      await redis.stop();
    });

    it('answers every request while Redis stops and starts again', async () => {
      const results = [];
      let healthInOutage: { status: number; body: Health } | undefined;
      for (let index = 0; index < 60; index += 1) {
        if (index === 15) await redis.stop();
        if (index === 30)
          healthInOutage = await api.json<Health>('/health/ready');
        if (index === 40) await redis.start();
        results.push(await timedQuote(SYMBOLS[index % SYMBOLS.length]!));
        await sleep(50);
      }
      expect(results.map((result) => result.status)).toEqual(
        results.map(() => 200),
      );
      expect(Math.max(...results.map((result) => result.ms))).toBeLessThan(
        BOUND_MS,
      );
      expect(healthInOutage?.status).toBe(200);
      expect(healthInOutage?.body.services.cache.status).toBe('degraded');
      expect(healthInOutage?.body.services.redis.status).toBe('down');

      await untilCacheUp();
      await timedQuote('GOOGL');
      expect(await storedInRedis('GOOGL')).toBe(true);
      const unavailable = lines.filter((line) =>
        line.startsWith('warn Redis cache unavailable'),
      );
      const back = lines.filter((line) =>
        /^log Redis cache available again after [1-9]\d* failed operations/.test(
          line,
        ),
      );
      expect(unavailable).toHaveLength(1);
      expect(back).toHaveLength(1);
    });

    it('answers every request while Redis is paused', async () => {
      redis.pause();
      const results = [];
      try {
        // Before any lookup fails, only the ping can tell Redis is gone.
        const early = await api.json<Health>('/health/ready');
        expect(early.body.services.cache.status).toBe('degraded');
        for (let index = 0; index < 20; index += 1) {
          results.push(await timedQuote(SYMBOLS[index % SYMBOLS.length]!));
        }
        const started = performance.now();
        const health = await api.json<Health>('/health/ready');
        expect(performance.now() - started).toBeLessThan(BOUND_MS);
        expect(health.status).toBe(200);
        expect(health.body.services.redis.status).toBe('down');
        expect(health.body.services.cache.status).toBe('degraded');
      } finally {
        redis.resume();
      }
      expect(results.map((result) => result.status)).toEqual(
        results.map(() => 200),
      );
      expect(Math.max(...results.map((result) => result.ms))).toBeLessThan(
        BOUND_MS,
      );
      await untilCacheUp();
      await timedQuote('META');
      expect(await storedInRedis('META')).toBe(true);
    });

    it('leaves no lock behind a pause', async () => {
      redis.pause();
      let during: { status: number; ms: number };
      try {
        during = await timedQuote('AMZN');
      } finally {
        redis.resume();
      }
      await untilCacheUp();
      const client = await redisClient(redis.url);
      let locked: number;
      try {
        locked = await client.exists(
          `${PREFIX}:lock:v1:quote:AMZN?asset=equity`,
        );
      } finally {
        await client.close();
      }

      expect(during.status).toBe(200);
      // A lock that Redis took only after the pause would make every
      // instance wait for a load that never comes, for CACHE_LOCK_LEASE.
      expect(locked).toBe(0);
    });

    it('serves the memory-off fast path during a pause', async () => {
      const redisOnly = await startTestApp({
        env: {
          REDIS_URL: redis.url,
          CACHE_KEY_PREFIX: `${PREFIX}-redis-only`,
          QUOTE_PROVIDERS: 'simulated',
          CACHE_MEMORY_TTL: '0',
          REDIS_COMMAND_TIMEOUT: '0.2',
        },
      });
      const results = [];
      try {
        for (const symbol of SYMBOLS) {
          await timedQuote(symbol, redisOnly);
          await timedQuote(symbol, redisOnly);
        }
        redis.pause();
        try {
          for (let index = 0; index < 20; index += 1)
            results.push(
              await timedQuote(SYMBOLS[index % SYMBOLS.length]!, redisOnly),
            );
        } finally {
          redis.resume();
        }
      } finally {
        await redisOnly.close();
      }

      expect(results.map((result) => result.status)).toEqual(
        results.map(() => 200),
      );
      expect(Math.max(...results.map((result) => result.ms))).toBeLessThan(
        BOUND_MS,
      );
      await untilCacheUp();
    });
  },
);
