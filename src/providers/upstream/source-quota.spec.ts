import { randomUUID } from 'node:crypto';
import { createClient, type RedisClientType } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  REDIS_SERVER_PATH,
  startOwnRedis,
} from '../../../test/support/redis.js';
import { describeWithTool } from '../../../test/support/system-tools.js';
import { SourceQuota } from './source-quota.js';
import { UpstreamError } from './upstream.errors.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const perMinute = (limit: number) => ({
  perSecond: 0,
  perMinute: limit,
  perDay: 0,
});

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );

  return error instanceof UpstreamError ? error.code : undefined;
}

describe('SourceQuota in memory', () => {
  it('refuses the request past the limit', async () => {
    const quota = new SourceQuota('polygon', randomUUID(), perMinute(2), null);
    await quota.consume('polygon', 'A');
    await quota.consume('polygon', 'A');
    expect(await codeOf(quota.consume('polygon', 'A'))).toBe('QUOTA_EXHAUSTED');
  });

  it('reports the remaining budget', async () => {
    const quota = new SourceQuota('polygon', randomUUID(), perMinute(5), null);
    await quota.consume('polygon', 'A');
    const [minute] = await quota.state();
    expect(minute).toMatchObject({ window: 'minute', limit: 5, remaining: 4 });
    expect(minute?.resetsAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });

  it('gives back earlier windows when a later one refuses', async () => {
    const quota = new SourceQuota(
      'polygon',
      randomUUID(),
      { perSecond: 10, perMinute: 1, perDay: 0 },
      null,
    );
    await quota.consume('polygon', 'A');
    await codeOf(quota.consume('polygon', 'A'));
    const [second] = await quota.state();
    expect(second).toMatchObject({ window: 'second', remaining: 9 });
  });

  it('skips windows without a limit', async () => {
    const quota = new SourceQuota(
      'yahoo',
      null,
      { perSecond: 0, perMinute: 0, perDay: 0 },
      null,
    );
    expect(await quota.state()).toEqual([]);
  });
});

describe('SourceQuota in Redis', () => {
  let redis: RedisClientType;

  beforeAll(async () => {
    redis = createClient({ url: REDIS_URL });
    await redis.connect();
  });

  afterAll(async () => {
    await redis.close();
  });

  it('shares one budget between replicas', async () => {
    const key = randomUUID();
    const first = new SourceQuota('alpha_vantage', key, perMinute(3), redis);
    const second = new SourceQuota('alpha_vantage', key, perMinute(3), redis);
    await first.consume('alpha_vantage', 'A');
    await second.consume('alpha_vantage', 'A');
    await first.consume('alpha_vantage', 'A');
    expect(await codeOf(second.consume('alpha_vantage', 'A'))).toBe(
      'QUOTA_EXHAUSTED',
    );
    expect((await first.state())[0]?.remaining).toBe(0);
  });

  it('keeps separate budgets per API key', async () => {
    const one = new SourceQuota(
      'alpha_vantage',
      randomUUID(),
      perMinute(1),
      redis,
    );
    const other = new SourceQuota(
      'alpha_vantage',
      randomUUID(),
      perMinute(1),
      redis,
    );
    await one.consume('alpha_vantage', 'A');
    expect(await codeOf(other.consume('alpha_vantage', 'A'))).toBeUndefined();
  });

  it('falls back to memory while Redis is down', async () => {
    const down: RedisClientType = createClient({
      url: 'redis://127.0.0.1:1',
      disableOfflineQueue: true,
      socket: { reconnectStrategy: false },
    });
    down.on('error', () => undefined);
    await down.connect().catch(() => undefined);
    const quota = new SourceQuota('polygon', randomUUID(), perMinute(1), down);
    await quota.consume('polygon', 'A');
    expect(await codeOf(quota.consume('polygon', 'A'))).toBe('QUOTA_EXHAUSTED');
  });
});

describeWithTool(
  'redis-server',
  REDIS_SERVER_PATH,
  'SourceQuota on a paused Redis',
  () => {
    it('counts in memory once Redis does not answer in time', async () => {
      const own = await startOwnRedis();
      const client: RedisClientType = createClient({ url: own.url });
      client.on('error', () => undefined);
      await client.connect();
      own.pause();
      try {
        const quota = new SourceQuota(
          'polygon',
          randomUUID(),
          perMinute(1),
          client,
          100,
        );
        const started = performance.now();
        await quota.consume('polygon', 'A');
        const second = await codeOf(quota.consume('polygon', 'A'));
        const state = await quota.state();
        expect(performance.now() - started).toBeLessThan(1000);
        expect(second).toBe('QUOTA_EXHAUSTED');
        expect(state[0]?.remaining).toBe(0);
      } finally {
        own.resume();
        await client.close();
        await own.stop();
      }
    });
  },
);
