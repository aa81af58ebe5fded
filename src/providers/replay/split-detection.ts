import { firstAtOrAfter } from './bar-search.js';
import type { StoredBar } from './replay-series.js';
import { nextDate, type SeriesDays } from './series-days.js';

/**
 * Factor within which the jump across a split counts as matching: a jump
 * between ratio / 1.25 and ratio * 1.25 shows the split, and one between
 * 1 / 1.25 and 1.25 shows prices already adjusted for it.
 */
export const SPLIT_TOLERANCE = 1.25;

/**
 * Trading days searched on each side of a split's date for its jump,
 * because sources date the same split by its ex-date, record date or
 * payable date. Yahoo's daily data for 4063.T flags its 2023 split on
 * 2023-03-30, one trading day after the jump in its prices.
 */
export const SPLIT_SEARCH_DAYS = 2;

const LOG_TOLERANCE = Math.log(SPLIT_TOLERANCE);

/** Outcome of testing the prices around one split. */
export type SplitState =
  /** Prices before `boundary` (an index into the bars) are not adjusted. */
  | { kind: 'visible'; ratio: number; boundary: number }
  /** Prices on both sides are in the same shares. */
  | { kind: 'reflected' }
  /** The jump fits neither, or there is no bar on one side. */
  | { kind: 'unclear' };

/** The open and close a view serves for a stored bar. */
export type PricesOf = (bar: StoredBar) => { open: number; close: number };

/**
 * Tells whether the prices show a split's jump. The jump at a day boundary
 * is the last close before it divided by the first open after it. The
 * boundary nearest the split's date whose jump is within SPLIT_TOLERANCE of
 * the ratio, and nearer to it than to 1, marks the split as visible there.
 * Otherwise a jump near 1 on the split's date means the split is already
 * reflected, and any other jump leaves it unclear.
 */
export function splitState(
  bars: readonly StoredBar[],
  split: { date: string; ratio: number },
  days: SeriesDays,
  pricesOf: PricesOf,
): SplitState {
  const flagged = firstAtOrAfter(bars, days.startOf(split.date));
  if (flagged === 0 || flagged >= bars.length) return { kind: 'unclear' };

  const boundary = nearestJump(bars, split, flagged, days, pricesOf);
  if (boundary !== null) {
    return { kind: 'visible', ratio: split.ratio, boundary };
  }

  const flaggedJump = jumpAt(bars, flagged, pricesOf);

  return Math.abs(Math.log(flaggedJump)) <= LOG_TOLERANCE
    ? { kind: 'reflected' }
    : { kind: 'unclear' };
}

/**
 * Returns the first bar index of the day boundary nearest `flagged` whose
 * jump matches the split ratio, preferring the closer match on a tie, or
 * null when none matches.
 */
function nearestJump(
  bars: readonly StoredBar[],
  split: { ratio: number },
  flagged: number,
  days: SeriesDays,
  pricesOf: PricesOf,
): number | null {
  const starts = dayStartsAround(bars, flagged, days);
  const flaggedPosition = starts.indexOf(flagged);
  let best: number | null = null;
  let bestOffset = Number.POSITIVE_INFINITY;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const [position, start] of starts.entries()) {
    const jump = jumpAt(bars, start, pricesOf);
    const distance = Math.abs(Math.log(jump / split.ratio));
    const matches = showsRatio(jump, split.ratio);
    const offset = Math.abs(position - flaggedPosition);
    const closer =
      offset < bestOffset || (offset === bestOffset && distance < bestDistance);
    if (matches && closer) {
      best = start;
      bestOffset = offset;
      bestDistance = distance;
    }
  }

  return best;
}

/**
 * Tells whether a price jump matches a split ratio: within SPLIT_TOLERANCE
 * of it, and nearer to it than to 1 (both measured as factors).
 */
export function showsRatio(jump: number, ratio: number): boolean {
  const distance = Math.abs(Math.log(jump / ratio));

  return distance <= LOG_TOLERANCE && distance < Math.abs(Math.log(jump));
}

/**
 * Returns the indices of the first bar of each day, from SPLIT_SEARCH_DAYS
 * days before the bar at `flagged` to as many after, leaving out a day with
 * no bar before it.
 */
function dayStartsAround(
  bars: readonly StoredBar[],
  flagged: number,
  days: SeriesDays,
): number[] {
  const starts = [flagged];
  let start = flagged;
  for (let step = 0; step < SPLIT_SEARCH_DAYS; step += 1) {
    const previous = bars[start - 1];
    if (!previous) break;
    start = firstAtOrAfter(bars, days.startOf(days.dateOf(previous)));
    if (start === 0) break;
    starts.unshift(start);
  }

  start = flagged;
  for (let step = 0; step < SPLIT_SEARCH_DAYS; step += 1) {
    const current = bars[start];
    if (!current) break;
    start = firstAtOrAfter(bars, days.startOf(nextDate(days.dateOf(current))));
    if (start >= bars.length) break;
    starts.push(start);
  }

  return starts;
}

function jumpAt(
  bars: readonly StoredBar[],
  start: number,
  pricesOf: PricesOf,
): number {
  const before = bars[start - 1];
  const after = bars[start];
  if (!before || !after) return Number.NaN;

  return pricesOf(before).close / pricesOf(after).open;
}
