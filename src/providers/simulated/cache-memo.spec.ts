import { LRUCache } from 'lru-cache';
import { describe, expect, it, vi } from 'vitest';
import { memoize } from './cache-memo.js';

describe('memoize', () => {
  it('computes a missing value once', () => {
    const cache = new LRUCache<string, number>({ max: 2 });
    const compute = vi.fn<() => number>(() => 7);
    expect(memoize(cache, 'a', compute)).toBe(7);
    expect(memoize(cache, 'a', compute)).toBe(7);
    expect(compute).toHaveBeenCalledTimes(1);
  });

  it('recomputes after eviction', () => {
    const cache = new LRUCache<string, number>({ max: 1 });
    memoize(cache, 'a', () => 1);
    memoize(cache, 'b', () => 2);
    expect(memoize(cache, 'a', () => 3)).toBe(3);
  });
});
