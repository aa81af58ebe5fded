import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type CacheUnderTest,
  startMarketCache,
} from '../../test/support/market-cache.js';
import { ApiError, SymbolNotFoundError } from '../common/api.errors.js';
import {
  recordCacheOutcome,
  remainingBudget,
  requestContext,
  runInContext,
} from '../common/request-deadline.js';
import { cacheKey } from './cache-keys.js';

let started: CacheUnderTest | undefined;

async function cacheWith(env: Record<string, string> = {}) {
  started = await startMarketCache(env);
  return started.cache;
}

afterEach(async () => {
  await started?.close();
  started = undefined;
});

const key = cacheKey('quote', 'AAPL');
/** A lifetime short enough for a test to wait it out. */
const shortLived = () => 30;
const priceOf8 = () => Promise.resolve({ price: 8 });
const unavailable = () =>
  new ApiError('UPSTREAM_UNAVAILABLE', 'every quote source failed');

describe('MarketCache without Redis', () => {
  it('loads a missing value once and then serves it', async () => {
    const cache = await cacheWith();
    const load = vi.fn<() => Promise<{ price: number }>>(() =>
      Promise.resolve({ price: 1 }),
    );
    const first = await cache.get({ kind: 'quote', key, load });
    const second = await cache.get({ kind: 'quote', key, load });
    expect([first.outcome, second.outcome]).toEqual(['MISS', 'HIT']);
    expect(second.value).toEqual({ price: 1 });
    expect(load).toHaveBeenCalledTimes(1);
    expect(cache.stats.snapshot().quote).toEqual({
      hits: 1,
      misses: 1,
      stale: 0,
      waits: 0,
    });
  });

  it('makes one load for concurrent misses of a key', async () => {
    const cache = await cacheWith();
    const load = vi.fn<() => Promise<{ price: number }>>(async () => {
      await sleep(50);
      return { price: 2 };
    });
    const results = await Promise.all(
      Array.from({ length: 50 }, () => cache.get({ kind: 'quote', key, load })),
    );
    expect(load).toHaveBeenCalledTimes(1);
    expect(results.filter((result) => result.outcome === 'MISS')).toHaveLength(
      1,
    );
    expect(results.every((result) => result.value.price === 2)).toBe(true);
    expect(cache.stats.snapshot().quote.waits).toBe(49);
  });

  it('never stores an error', async () => {
    const cache = await cacheWith();
    const load = vi
      .fn<() => Promise<{ price: number }>>()
      .mockRejectedValueOnce(unavailable())
      .mockResolvedValueOnce({ price: 3 });
    await expect(cache.get({ kind: 'quote', key, load })).rejects.toThrow(
      'every quote source failed',
    );
    const retried = await cache.get({ kind: 'quote', key, load });
    expect(retried).toEqual({ value: { price: 3 }, outcome: 'MISS' });
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('serves an expired value as stale when the sources fail', async () => {
    const cache = await cacheWith({ CACHE_STALE_GRACE: '10' });
    await cache.get({
      kind: 'quote',
      key,
      ttlMs: shortLived,
      load: () => Promise.resolve({ price: 4 }),
    });
    await sleep(50);
    const stale = await cache.get({
      kind: 'quote',
      key,
      ttlMs: shortLived,
      load: () => Promise.reject(unavailable()),
    });
    expect(stale).toEqual({ value: { price: 4 }, outcome: 'STALE' });
    expect(cache.stats.snapshot().quote.stale).toBe(1);
  });

  it('lets an answer such as not found through rather than a stale value', async () => {
    const cache = await cacheWith({ CACHE_STALE_GRACE: '10' });
    await cache.get({
      kind: 'quote',
      key,
      ttlMs: shortLived,
      load: () => Promise.resolve({ price: 5 }),
    });
    await sleep(50);
    await expect(
      cache.get({
        kind: 'quote',
        key,
        ttlMs: shortLived,
        load: () => Promise.reject(new SymbolNotFoundError('AAPL', 'gone')),
      }),
    ).rejects.toThrow('gone');
  });

  it('gives up an expired value once its grace is over', async () => {
    const cache = await cacheWith({ CACHE_STALE_GRACE: '0.05' });
    await cache.get({
      kind: 'quote',
      key,
      ttlMs: shortLived,
      load: () => Promise.resolve({ price: 6 }),
    });
    await sleep(120);
    await expect(
      cache.get({
        kind: 'quote',
        key,
        ttlMs: shortLived,
        load: () => Promise.reject(unavailable()),
      }),
    ).rejects.toThrow('every quote source failed');
  });

  it('loads every time for a kind whose lifetime is 0', async () => {
    const cache = await cacheWith({ CACHE_TTL_QUOTE: '0' });
    const load = vi.fn<() => Promise<{ price: number }>>(() =>
      Promise.resolve({ price: 7 }),
    );
    await cache.get({ kind: 'quote', key, load });
    const again = await cache.get({ kind: 'quote', key, load });
    expect(again.outcome).toBe('MISS');
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('does not store a value whose lifetime is 0', async () => {
    const cache = await cacheWith();
    const load = vi.fn<() => Promise<{ partial: boolean }>>(() =>
      Promise.resolve({ partial: true }),
    );
    await cache.get({ kind: 'search', key, load, ttlMs: () => 0 });
    await cache.get({ kind: 'search', key, load, ttlMs: () => 0 });
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('notes its outcome on the request being served', async () => {
    const cache = await cacheWith();
    const first = requestContext(1000);
    const second = requestContext(1000);
    await cache.get({ kind: 'quote', key, load: priceOf8, context: first });
    await cache.get({ kind: 'quote', key, load: priceOf8, context: second });
    expect([first.cache, second.cache]).toEqual(['MISS', 'HIT']);
  });

  it('notes its outcome on the context of the running load', async () => {
    const cache = await cacheWith();
    const outer = requestContext(1000);
    await runInContext(outer, () =>
      cache.get({ kind: 'quote', key, load: priceOf8 }),
    );
    expect(outer.cache).toBe('MISS');
  });

  it('bounds a load by the deadline of its request', async () => {
    const cache = await cacheWith();
    let budget = Number.NaN;
    await cache.get({
      kind: 'quote',
      key,
      context: requestContext(800),
      load: () => {
        budget = remainingBudget();
        return priceOf8();
      },
    });
    expect(budget).toBeGreaterThan(0);
    expect(budget).toBeLessThanOrEqual(800);
    expect(remainingBudget()).toBe(Number.POSITIVE_INFINITY);
  });

  it('bounds a wait for a load by the deadline', async () => {
    const cache = await cacheWith();
    // A load without a request, as a streaming feed's poll makes.
    const background = cache.get({
      kind: 'quote',
      key,
      load: async () => {
        await sleep(1000);
        return { price: 9 };
      },
    });
    const waitStart = Date.now();
    const waiting = cache.get({
      kind: 'quote',
      key,
      load: priceOf8,
      context: requestContext(100),
    });

    await expect(waiting).rejects.toMatchObject({ code: 'UPSTREAM_TIMEOUT' });
    expect(Date.now() - waitStart).toBeLessThan(500);
    expect((await background).value).toEqual({ price: 9 });
  });

  it('sums a request up as STALE when any of its lookups was', () => {
    const context = requestContext(1000);
    recordCacheOutcome(context, 'HIT');
    recordCacheOutcome(context, 'STALE');
    recordCacheOutcome(context, 'MISS');
    expect(context.cache).toBe('STALE');
  });

  it('reports an in-process store', async () => {
    const cache = await cacheWith();
    expect(cache.state()).toMatchObject({ store: 'memory', status: 'up' });
  });
});
