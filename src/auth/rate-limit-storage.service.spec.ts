import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AppConfig } from '../config/app-config.js';
import type { RedisService } from '../redis/redis.service.js';
import { RateLimitStorage } from './rate-limit-storage.service.js';

const CONFIG = {
  cache: { keyPrefix: 'test' },
  redisCommandTimeoutMs: 100,
} as unknown as AppConfig;
const HOUR_MS = 3_600_000;

/** A stand-in for the node-redis client that keeps counters in a Map. */
class FakeRedis {
  readonly counters = new Map<string, number>();
  readonly increments: number[] = [];
  isReady = true;
  failing = false;

  multi() {
    let key = '';
    let amount = 0;
    const chain = {
      incrBy: (name: string, by: number) => {
        key = name;
        amount = by;
        return chain;
      },
      pExpireAt: () => chain,
      exec: () => {
        if (this.failing) return Promise.reject(new Error('connection lost'));
        const total = (this.counters.get(key) ?? 0) + amount;
        this.counters.set(key, total);
        this.increments.push(amount);
        return Promise.resolve([total, 1]);
      },
    };
    return chain;
  }
}

function storageOn(client: FakeRedis | null): RateLimitStorage {
  return new RateLimitStorage(CONFIG, { client } as unknown as RedisService);
}

async function admitted(
  storages: RateLimitStorage[],
  count: number,
  limit: number,
): Promise<number> {
  const results = await Promise.all(
    Array.from({ length: count }, (_, index) =>
      (storages[index % storages.length] as RateLimitStorage).increment(
        'client',
        HOUR_MS,
        limit,
      ),
    ),
  );

  return results.filter((result) => !result.isBlocked).length;
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(Date.UTC(2024, 2, 15, 12, 0, 0));
});

afterEach(() => {
  vi.useRealTimers();
});

describe('RateLimitStorage in memory', () => {
  it('blocks past the limit with the time left', async () => {
    const storage = storageOn(null);
    const records = [];
    for (let i = 0; i < 4; i++)
      records.push(await storage.increment('client', 60_000, 3));

    expect(records.map((record) => record.isBlocked)).toEqual([
      false,
      false,
      false,
      true,
    ]);
    expect(records[3]?.timeToBlockExpire).toBe(60);
    expect(records[0]?.timeToExpire).toBe(60);
  });

  it('starts again in the next window', async () => {
    const storage = storageOn(null);
    for (let i = 0; i < 3; i++) await storage.increment('client', 60_000, 3);
    vi.setSystemTime(Date.now() + 60_000);

    const record = await storage.increment('client', 60_000, 3);

    expect(record.isBlocked).toBe(false);
    expect(record.totalHits).toBe(1);
  });
});

describe('RateLimitStorage on Redis', () => {
  it('counts a small limit exactly over two instances', async () => {
    const redis = new FakeRedis();
    const storages = [storageOn(redis), storageOn(redis)];

    expect(await admitted(storages, 50, 5)).toBe(5);
    expect(redis.increments.every((amount) => amount === 1)).toBe(true);
  });

  it('reserves 1% of a large limit at a time', async () => {
    const redis = new FakeRedis();
    const storages = [storageOn(redis), storageOn(redis)];

    const count = await admitted(storages, 12_000, 10_000);

    expect(count).toBeLessThanOrEqual(10_000);
    expect(count).toBeGreaterThanOrEqual(9_800);
    expect(redis.increments.every((amount) => amount === 100)).toBe(true);
    expect(redis.increments.length).toBeLessThanOrEqual(102);
  });

  it('counts alone while Redis fails', async () => {
    const redis = new FakeRedis();
    redis.failing = true;
    const storage = storageOn(redis);

    expect(await admitted([storage], 10, 5)).toBe(5);
    expect(redis.increments).toEqual([]);
  });

  it('uses Redis again after a failure', async () => {
    const redis = new FakeRedis();
    redis.failing = true;
    const storage = storageOn(redis);
    await storage.increment('client', HOUR_MS, 5);
    redis.failing = false;
    vi.setSystemTime(Date.now() + 1500);

    await storage.increment('client', HOUR_MS, 5);

    expect(redis.increments).toEqual([1]);
  });
});

describe('RateLimitStorage.admitLocally', () => {
  it('admits to the limit in memory', async () => {
    const storage = storageOn(null);

    const records = Array.from({ length: 4 }, () =>
      storage.admitLocally('client', HOUR_MS, 3),
    );
    const next = await storage.increment('client', HOUR_MS, 3);

    expect(records.map((record) => record?.totalHits ?? null)).toEqual([
      1,
      2,
      3,
      null,
    ]);
    // The call that returned null counted nothing, so the next increment is
    // the fourth.
    expect(next.totalHits).toBe(4);
    expect(next.isBlocked).toBe(true);
  });

  it('admits from reserved permits only', async () => {
    const redis = new FakeRedis();
    const storage = storageOn(redis);

    const cold = storage.admitLocally('client', HOUR_MS, 10_000);
    await storage.increment('client', HOUR_MS, 10_000);
    const warm = Array.from({ length: 99 }, () =>
      storage.admitLocally('client', HOUR_MS, 10_000),
    );
    // The second reservation is still on its way: the hundredth waits.
    const spent = storage.admitLocally('client', HOUR_MS, 10_000);
    await new Promise((resolve) => setImmediate(resolve));
    const refilled = storage.admitLocally('client', HOUR_MS, 10_000);

    expect(cold).toBeNull();
    expect(warm.every((record) => record !== null && !record.isBlocked)).toBe(
      true,
    );
    // One reservation of 100 and a second one taken when half was used.
    expect(redis.increments).toEqual([100, 100]);
    expect(spent).toBeNull();
    expect(refilled?.isBlocked).toBe(false);
  });

  it('returns null once the limit is used', async () => {
    const redis = new FakeRedis();
    const storage = storageOn(redis);

    const results = [];
    for (let i = 0; i < 3; i++)
      results.push(await storage.increment('client', HOUR_MS, 2));

    expect(results.map((result) => result.isBlocked)).toEqual([
      false,
      false,
      true,
    ]);
    expect(storage.admitLocally('client', HOUR_MS, 2)).toBeNull();
  });

  it('counts alone, to the limit, while Redis fails', async () => {
    const redis = new FakeRedis();
    redis.failing = true;
    const storage = storageOn(redis);
    await storage.increment('client', HOUR_MS, 3);

    const records = Array.from({ length: 3 }, () =>
      storage.admitLocally('client', HOUR_MS, 3),
    );

    expect(records.map((record) => record?.totalHits ?? null)).toEqual([
      2,
      3,
      null,
    ]);
  });
});
