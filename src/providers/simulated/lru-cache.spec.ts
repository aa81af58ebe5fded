import { describe, expect, it } from 'vitest';
import { LruCache } from './lru-cache.js';

describe('LruCache', () => {
  it('evicts the least recently used entry', () => {
    const cache = new LruCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.get('a');
    cache.set('c', 3);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    expect(cache.get('c')).toBe(3);
  });

  it('never grows past its bound', () => {
    const cache = new LruCache<number, number>(10);
    for (let i = 0; i < 100; i += 1) cache.set(i, i);
    expect(cache.size).toBe(10);
  });

  it('computes a missing value once', () => {
    const cache = new LruCache<string, number>(4);
    let calls = 0;
    const compute = () => {
      calls += 1;
      return 7;
    };
    expect(cache.getOrCompute('x', compute)).toBe(7);
    expect(cache.getOrCompute('x', compute)).toBe(7);
    expect(calls).toBe(1);
  });

  it('rejects a bound below one', () => {
    expect(() => new LruCache(0)).toThrow(RangeError);
  });
});
