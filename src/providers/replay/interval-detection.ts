import {
  INTERVAL_MS,
  INTERVALS,
  isDaily,
  type Interval,
} from '../../market/interval.js';

const DAY_MS = INTERVAL_MS['1d'];
const INTRADAY = INTERVALS.filter((interval) => !isDaily(interval));

/**
 * Infers the bar interval from ascending bar times: the interval that the
 * most gaps between neighbours match. Intraday gaps must equal a bar width
 * exactly, so overnight, weekend and missing-bar gaps are ignored. Daily
 * times are midnights UTC of dates, and their gaps count in days: 1 to 4 is
 * a daily series across a weekend or holiday, 6 to 8 weekly, 28 to 31
 * monthly. Returns null when fewer than two times are given or no gap
 * matches.
 */
export function detectInterval(
  times: readonly number[],
  daily: boolean,
): Interval | null {
  const votes = new Map<Interval, number>();
  for (let i = 1; i < times.length; i += 1) {
    const gap = (times[i] ?? 0) - (times[i - 1] ?? 0);
    const interval = daily ? dailyIntervalOf(gap) : intradayIntervalOf(gap);
    if (interval) votes.set(interval, (votes.get(interval) ?? 0) + 1);
  }

  // On a tie the finer interval wins, because missing bars make gaps of a
  // multiple of the true width but never a fraction of it.
  let best: Interval | null = null;
  let bestVotes = 0;
  for (const interval of INTERVALS) {
    const count = votes.get(interval) ?? 0;
    if (count > bestVotes) {
      best = interval;
      bestVotes = count;
    }
  }

  return best;
}

function intradayIntervalOf(gap: number): Interval | null {
  return INTRADAY.find((interval) => INTERVAL_MS[interval] === gap) ?? null;
}

function dailyIntervalOf(gap: number): Interval | null {
  const days = Math.round(gap / DAY_MS);
  if (days >= 1 && days <= 4) return '1d';
  if (days >= 6 && days <= 8) return '1wk';
  if (days >= 28 && days <= 31) return '1mo';

  return null;
}
