import type { CorporateAction } from '../../market/bar.js';
import type { Interval } from '../../market/interval.js';
import type { ParsedRow } from './csv-rows.js';
import { detectInterval } from './interval-detection.js';
import type { StoredBar } from './replay-series.js';

export interface BuiltSeries {
  interval: Interval;
  bars: StoredBar[];
  events: CorporateAction[];
  /** Rows dropped because an earlier row of the file has the same bar time. */
  duplicates: number;
  /** Rows left out of `bars`: duplicates and rows of the minority kind. */
  skipped: SkippedRow[];
}

export interface SkippedRow {
  /** Position of the row in the array given to buildSeries. */
  index: number;
  reason: string;
}

interface IndexedRow {
  row: ParsedRow;
  index: number;
}

/**
 * Turns one symbol's rows into ascending bars, whatever order the file has.
 * When every row has no time of day (or midnight), the bars are daily or
 * longer and dated by the calendar date as written. Otherwise they are
 * intraday and timed by instant. Returns an error message when the interval
 * cannot be inferred.
 */
export function buildSeries(rows: readonly ParsedRow[]): BuiltSeries | string {
  const { kept, skipped } = keepOneKind(rows);
  const daily = kept.every(({ row }) => row.stamp.midnight);
  const timeOf = ({ row }: IndexedRow) =>
    daily ? Date.parse(row.stamp.date) : row.stamp.ms;
  const sorted = [...kept].sort((a, b) => timeOf(a) - timeOf(b));
  const interval = detectInterval(unique(sorted.map(timeOf)), daily);
  if (!interval) {
    return kept.length < 2
      ? `${kept.length} readable row(s) are too few to infer the interval`
      : 'bar spacing matches none of 1m, 5m, 15m, 30m, 1h, 1d, 1wk, 1mo';
  }

  const bars: StoredBar[] = [];
  const events: CorporateAction[] = [];
  let duplicates = 0;
  for (const { row, index } of sorted) {
    const bar = toBar(row, daily);
    if (bars.length > 0 && bars[bars.length - 1]?.time === bar.time) {
      duplicates += 1;
      skipped.push({ index, reason: 'an earlier row has the same time' });
      continue;
    }
    bars.push(bar);
    events.push(...eventsOf(row));
  }

  return { interval, bars, events, duplicates, skipped };
}

/**
 * Keeps one kind of row when a symbol mixes date-only rows with rows whose
 * time of day is not midnight, because one series cannot be both daily and
 * intraday. The kind with more rows stays, and date-only rows win a tie.
 * Timestamps at midnight fit either kind, so they always stay.
 */
function keepOneKind(rows: readonly ParsedRow[]): {
  kept: IndexedRow[];
  skipped: SkippedRow[];
} {
  const indexed = rows.map((row, index) => ({ row, index }));
  const dateOnly = indexed.filter(({ row }) => !row.stamp.hasTime);
  const intraday = indexed.filter(({ row }) => !row.stamp.midnight);
  if (dateOnly.length === 0 || intraday.length === 0) {
    return { kept: indexed, skipped: [] };
  }

  const keepDaily = dateOnly.length >= intraday.length;
  const dropped = new Set(keepDaily ? intraday : dateOnly);
  const reason = keepDaily
    ? 'a time of day among date-only rows'
    : 'a date without a time of day among intraday rows';

  return {
    kept: indexed.filter((entry) => !dropped.has(entry)),
    skipped: [...dropped].map(({ index }) => ({ index, reason })),
  };
}

function unique(times: readonly number[]): number[] {
  return times.filter((time, i) => i === 0 || time !== times[i - 1]);
}

function toBar(row: ParsedRow, daily: boolean): StoredBar {
  const bar: StoredBar = {
    time: row.stamp.ms,
    open: row.open,
    high: row.high,
    low: row.low,
    close: row.close,
    volume: row.volume,
    complete: true,
  };
  if (daily) {
    // NOTE: weekly and monthly bars keep the date as written, which some
    // exports (pandas month ends) put at the end of the period, not its start.
    bar.date = row.stamp.date;
    bar.time = Date.parse(row.stamp.date);
  }
  if (row.adjClose !== undefined) bar.adjClose = row.adjClose;
  if (row.adjusted) bar.adjusted = row.adjusted;

  return bar;
}

function eventsOf(row: ParsedRow): CorporateAction[] {
  const events: CorporateAction[] = [];
  if (row.split !== null) {
    events.push({ date: row.stamp.date, type: 'split', ratio: row.split });
  }
  if (row.dividend !== null) {
    events.push({
      date: row.stamp.date,
      type: 'dividend',
      amount: row.dividend,
    });
  }

  return events;
}
