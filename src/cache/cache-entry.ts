/**
 * A cached value with the instants, in epoch milliseconds, until which it is
 * fresh and until which it may still be served, marked stale, when every
 * source fails.
 */
export interface CacheEntry<T> {
  value: T;
  freshUntil: number;
  staleUntil: number;
}

export function isFresh(entry: CacheEntry<unknown>, now: number): boolean {
  return now < entry.freshUntil;
}

export function isServableStale(
  entry: CacheEntry<unknown>,
  now: number,
): boolean {
  return now < entry.staleUntil;
}

/** Checks the shape of an entry read back from a store. */
export function isCacheEntry(value: unknown): value is CacheEntry<unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Partial<CacheEntry<unknown>>;

  return (
    'value' in entry &&
    typeof entry.freshUntil === 'number' &&
    typeof entry.staleUntil === 'number'
  );
}
