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
}

/**
 * Turns one symbol's rows into ascending bars, whatever order the file has.
 * When every row has no time of day (or midnight), the bars are daily or
 * longer and dated by the calendar date as written. Otherwise they are
 * intraday and timed by instant. Returns an error message when the interval
 * cannot be inferred.
 */
export function buildSeries(rows: readonly ParsedRow[]): BuiltSeries | string {
  const daily = rows.every((row) => row.stamp.midnight);
  const timeOf = (row: ParsedRow) =>
    daily ? Date.parse(row.stamp.date) : row.stamp.ms;
  const sorted = [...rows].sort((a, b) => timeOf(a) - timeOf(b));
  const interval = detectInterval(unique(sorted.map(timeOf)), daily);
  if (!interval) {
    return rows.length < 2
      ? `${rows.length} readable row(s) are too few to infer the interval`
      : 'bar spacing matches none of 1m, 5m, 15m, 30m, 1h, 1d, 1wk, 1mo';
  }

  const bars: StoredBar[] = [];
  const events: CorporateAction[] = [];
  let duplicates = 0;
  for (const row of sorted) {
    const bar = toBar(row, daily);
    if (bars.length > 0 && bars[bars.length - 1]?.time === bar.time) {
      duplicates += 1;
      continue;
    }
    bars.push(bar);
    events.push(...eventsOf(row));
  }

  return { interval, bars, events, duplicates };
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
