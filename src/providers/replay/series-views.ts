import { LRUCache } from 'lru-cache';
import type { Bar } from '../../market/bar.js';

/**
 * Bars held by all cached views together. A bar object takes about 120
 * bytes on Node 20 (measured with 1,000,000 intraday bars), so the cache
 * stays near 60 MB.
 */
export const MAX_CACHED_BARS = 500_000;

/**
 * Aggregated or adjusted bar series built from stored bars, kept by key
 * with the least recently used evicted first. A view larger than the whole
 * budget is built and returned but not kept.
 */
export class SeriesViews {
  private readonly cache: LRUCache<string, Bar[]>;

  constructor(maxBars = MAX_CACHED_BARS) {
    this.cache = new LRUCache<string, Bar[]>({
      maxSize: maxBars,
      sizeCalculation: (bars) => Math.max(bars.length, 1),
    });
  }

  /** Returns the view cached under `key`, building and keeping it if absent. */
  get(key: string, build: () => Bar[]): Bar[] {
    const cached = this.cache.get(key);
    if (cached) return cached;
    const bars = build();
    this.cache.set(key, bars);

    return bars;
  }

  /** Number of bars currently cached. */
  get size(): number {
    return this.cache.calculatedSize;
  }
}
