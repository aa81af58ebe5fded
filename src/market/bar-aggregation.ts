import { DateTime } from 'luxon';
import type { Bar } from './bar.js';
import { INTERVAL_MS, isDaily, type Interval } from './interval.js';

export interface AggregationOptions {
  /** Time zone whose calendar days make up daily bars built from intraday ones. */
  timeZone: string;
  /**
   * Instant up to which the input is final: the end of a fixed data set, or
   * now for live data. A bucket that ends later is marked incomplete.
   */
  dataEnd: number;
  /** Trading days of the instrument; every day trades when absent. */
  isTradingDay?: (date: string) => boolean;
}

interface Bucket {
  start: number;
  end: number;
  date?: string;
}

/**
 * Merges bars into the coarser `target` interval. Intraday buckets align to
 * multiples of their width since the epoch (so hours start on the hour);
 * days follow `timeZone`; weeks start on Monday and months on the first, and
 * the merged bar carries that start date. Input must be ascending and finer
 * than or equal to `target`.
 */
export function aggregateBars(
  bars: readonly Bar[],
  target: Interval,
  options: AggregationOptions,
): Bar[] {
  const merged: Bar[] = [];
  let bucket: Bucket | null = null;
  let current: Bar | null = null;

  for (const bar of bars) {
    const key = bucketOf(bar, target, options.timeZone);
    if (!current || !bucket || key.start !== bucket.start) {
      if (current && bucket) merged.push(finish(current, bucket, options));
      bucket = key;
      current = { ...bar, time: key.start, date: key.date };
      continue;
    }
    current.high = Math.max(current.high, bar.high);
    current.low = Math.min(current.low, bar.low);
    current.close = bar.close;
    current.volume = addVolume(current.volume, bar.volume);
    current.complete = current.complete && bar.complete;
    if (bar.adjClose !== undefined) current.adjClose = bar.adjClose;
  }
  if (current && bucket) merged.push(finish(current, bucket, options));

  return merged;
}

function bucketOf(bar: Bar, target: Interval, timeZone: string): Bucket {
  if (!isDaily(target)) {
    const width = INTERVAL_MS[target];
    const start = Math.floor(bar.time / width) * width;

    return { start, end: start + width };
  }
  const day = bar.date
    ? DateTime.fromISO(bar.date, { zone: 'utc' })
    : DateTime.fromMillis(bar.time, { zone: timeZone }).setZone('utc', {
        keepLocalTime: true,
      });
  const unit = target === '1d' ? 'day' : target === '1wk' ? 'week' : 'month';
  const start = day.startOf(unit);
  const end = start.plus({ [unit + 's']: 1 });

  return {
    start: start.toMillis(),
    end: end.toMillis(),
    date: start.toISODate() ?? undefined,
  };
}

function finish(bar: Bar, bucket: Bucket, options: AggregationOptions): Bar {
  const closesBy = bucket.date
    ? lastTradingDayEnd(bucket, options.isTradingDay)
    : bucket.end;
  const complete = bar.complete && closesBy <= options.dataEnd;
  if (!bucket.date) delete bar.date;

  return { ...bar, complete };
}

/**
 * End (midnight UTC after) of the last trading day in a daily-or-longer
 * bucket, so a week whose Friday is in the data counts as complete.
 */
function lastTradingDayEnd(
  bucket: Bucket,
  isTradingDay: ((date: string) => boolean) | undefined,
): number {
  const dayMs = INTERVAL_MS['1d'];
  for (let end = bucket.end; end > bucket.start; end -= dayMs) {
    const date = new Date(end - dayMs).toISOString().slice(0, 10);
    if (!isTradingDay || isTradingDay(date)) return end;
  }

  return bucket.start;
}

function addVolume(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;

  return a + b;
}
