import type { LRUCache } from 'lru-cache';

/** Returns the cached value of `key`, computing and storing it on a miss. */
export function memoize<K extends {}, V extends {}>(
  cache: LRUCache<K, V>,
  key: K,
  compute: () => V,
): V {
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const value = compute();
  cache.set(key, value);

  return value;
}
