import { DATA_KINDS, type DataKind } from './cache-keys.js';

/** Counts of how the lookups of one data kind were served. */
export interface KindCounters {
  /** Fresh values found in the memory tier or in Redis. */
  hits: number;
  /** Values loaded from the sources. */
  misses: number;
  /** Expired values served, marked stale, because every source failed. */
  stale: number;
  /** Lookups that waited for a load already running here or on another instance. */
  waits: number;
}

/** Counters of cache outcomes per data kind, read by the metrics. */
export class CacheStats {
  private readonly counters = new Map<DataKind, KindCounters>(
    DATA_KINDS.map((kind) => [
      kind,
      { hits: 0, misses: 0, stale: 0, waits: 0 },
    ]),
  );

  count(kind: DataKind, counter: keyof KindCounters): void {
    const counters = this.counters.get(kind);
    if (counters) counters[counter] += 1;
  }

  /** Returns a copy of the counters by data kind. */
  snapshot(): Record<DataKind, KindCounters> {
    return Object.fromEntries(
      [...this.counters].map(([kind, counters]) => [kind, { ...counters }]),
    ) as Record<DataKind, KindCounters>;
  }
}
