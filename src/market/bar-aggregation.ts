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
  /**
   * Close of a trading day's session as an instant, for daily and longer
   * bars built from intraday bars; the end of the local day when absent.
   */
  sessionClose?: (date: string) => number;
}

interface Bucket {
  /** Key of the merged bar: its start, midnight UTC of `date` for daily and longer. */
  start: number;
  end: number;
  date?: string;
  /** Instants of the input bars that fall into this bucket. */
  from: number;
  until: number;
  /** Dates of dated input bars that fall into it; ISO dates compare as text. */
  fromDate?: string;
  untilDate?: string;
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
    // Input is ascending, so a bar inside the open bucket needs no date maths.
    const inBucket = bucket !== null && contains(bucket, bar);
    if (!current || !bucket || !inBucket) {
      if (current && bucket) merged.push(finish(current, bucket, options));
      bucket = bucketOf(bar, target, options.timeZone);
      current = { ...bar, time: bucket.start, date: bucket.date };
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

    return { start, end: start + width, from: start, until: start + width };
  }
  const unit = target === '1d' ? 'day' : target === '1wk' ? 'week' : 'month';
  const plural = { [`${unit}s`]: 1 };
  // Dated bars are keyed by midnight UTC of their date; intraday bars belong
  // to the calendar day of the exchange's time zone.
  const local = bar.date
    ? DateTime.fromISO(bar.date, { zone: 'utc' }).startOf(unit)
    : DateTime.fromMillis(bar.time, { zone: timeZone }).startOf(unit);
  const key = local.setZone('utc', { keepLocalTime: true });
  const date = key.toISODate() ?? undefined;

  return {
    start: key.toMillis(),
    end: key.plus(plural).toMillis(),
    date,
    from: local.toMillis(),
    until: local.plus(plural).toMillis(),
    fromDate: bar.date ? date : undefined,
    untilDate: bar.date
      ? (key.plus(plural).toISODate() ?? undefined)
      : undefined,
  };
}

function contains(bucket: Bucket, bar: Bar): boolean {
  if (bar.date && bucket.fromDate && bucket.untilDate) {
    return bar.date >= bucket.fromDate && bar.date < bucket.untilDate;
  }

  return bar.time >= bucket.from && bar.time < bucket.until;
}

function finish(bar: Bar, bucket: Bucket, options: AggregationOptions): Bar {
  const complete = bar.complete && closesBy(bucket, options) <= options.dataEnd;
  if (!bucket.date) delete bar.date;
  // Sums of fractional volumes pick up float noise such as 384968.0000000001.
  const volume =
    bar.volume === null ? null : Number(bar.volume.toPrecision(15));

  return { ...bar, volume, complete };
}

/**
 * Returns the instant by which the data must reach for a bucket to be
 * complete: its end for intraday buckets, else the end of its last trading
 * day, so a week whose Friday is in the data counts as complete. Dated input
 * ends at midnight UTC after that day; intraday input at the day's session
 * close, or its local midnight.
 */
function closesBy(bucket: Bucket, options: AggregationOptions): number {
  if (!bucket.date) return bucket.end;
  const dayMs = INTERVAL_MS['1d'];
  let lastDay = bucket.start;
  for (let end = bucket.end; end > bucket.start; end -= dayMs) {
    const date = new Date(end - dayMs).toISOString().slice(0, 10);
    if (!options.isTradingDay || options.isTradingDay(date)) {
      lastDay = end - dayMs;
      break;
    }
  }
  if (bucket.fromDate) return lastDay + dayMs;
  const date = new Date(lastDay).toISOString().slice(0, 10);
  const localEnd = bucket.until - (bucket.end - (lastDay + dayMs));

  return options.sessionClose?.(date) ?? localEnd;
}

function addVolume(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;

  return a + b;
}
