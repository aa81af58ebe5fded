import type { Bar } from '../../market/bar.js';

/**
 * Returns the index of the first bar whose time is at or after `time`, or
 * the length when there is none. `bars` must be ascending by time.
 */
export function firstAtOrAfter(bars: readonly Bar[], time: number): number {
  let low = 0;
  let high = bars.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((bars[middle]?.time ?? time) < time) low = middle + 1;
    else high = middle;
  }

  return low;
}

/** Returns the ascending bars whose time lies in [from, until). */
export function barsBetween<T extends Bar>(
  bars: readonly T[],
  from: number,
  until: number,
): T[] {
  return bars.slice(firstAtOrAfter(bars, from), firstAtOrAfter(bars, until));
}
