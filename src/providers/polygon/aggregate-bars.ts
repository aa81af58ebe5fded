import { DateTime } from 'luxon';
import type { Bar } from '../../market/bar.js';
import { timeZoneOf, tradingDateAt } from '../../market/exchange-zones.js';
import { INTERVAL_MS, isDaily, type Interval } from '../../market/interval.js';
import type { Instrument } from '../../market/symbol.js';
import type { HistoryQuery } from '../market-data-source.js';
import { finiteNumber, type AggregateRow } from './polygon-schemas.js';

/** Counts of dropped rows by reason. */
export type DropCounts = Record<DropReason, number>;

type DropReason =
  'invalid price' | 'high below low' | 'outside the window' | 'duplicate';

/** Bars read from aggregate rows, and the rows that were dropped. */
export interface NormalizedBars {
  bars: Bar[];
  dropped: DropCounts;
}

/**
 * Turns aggregate rows into bars. Daily and longer bars are dated by their
 * trading date in the instrument's zone (New York for US listings, UTC for
 * crypto). Weeks are dated by their Monday and months by their first day.
 * Rows with a missing or non-numeric price, a high below the low, a time
 * outside the query's window or a time already seen are dropped and counted.
 * Bars come out ascending; a bar is complete once its period has ended.
 */
export function normalizeBars(
  rows: readonly AggregateRow[],
  query: HistoryQuery,
  now: number,
): NormalizedBars {
  const dropped: DropCounts = {
    'invalid price': 0,
    'high below low': 0,
    'outside the window': 0,
    duplicate: 0,
  };
  const seen = new Set<number>();
  const bars: Bar[] = [];
  for (const row of rows) {
    const prices = pricesOf(row);
    if (typeof prices === 'string') {
      dropped[prices] += 1;
      continue;
    }
    const { end, ...timing } = timedBar(
      row.t,
      query.instrument,
      query.interval,
    );
    if (
      (query.start !== null && timing.time < query.start) ||
      timing.time > query.end
    ) {
      dropped['outside the window'] += 1;
      continue;
    }
    if (seen.has(timing.time)) {
      dropped.duplicate += 1;
      continue;
    }
    seen.add(timing.time);
    const volume = finiteNumber(row.v);
    bars.push({
      ...timing,
      ...prices,
      volume: volume !== null && volume >= 0 ? volume : null,
      complete: end <= now,
    });
  }
  bars.sort((left, right) => left.time - right.time);

  return { bars, dropped };
}

/** Counts the rows that `normalizeBars` would keep, ignoring the window. */
export function countUsableRows(rows: readonly AggregateRow[]): number {
  const times = new Set<number>();
  for (const row of rows) {
    if (typeof pricesOf(row) !== 'string') times.add(row.t);
  }

  return times.size;
}

/** Describes drop counts for a log line, e.g. `2 duplicate, 1 invalid price`. */
export function describeDrops(dropped: DropCounts): {
  total: number;
  text: string;
} {
  const parts = Object.entries(dropped).filter(([, count]) => count > 0);
  const total = parts.reduce((sum, [, count]) => sum + count, 0);

  return {
    total,
    text: parts.map(([reason, count]) => `${count} ${reason}`).join(', '),
  };
}

type Prices = Pick<Bar, 'open' | 'high' | 'low' | 'close'>;

function pricesOf(row: AggregateRow): Prices | DropReason {
  const open = finiteNumber(row.o);
  const high = finiteNumber(row.h);
  const low = finiteNumber(row.l);
  const close = finiteNumber(row.c);
  if (open === null || high === null || low === null || close === null) {
    return 'invalid price';
  }
  if (high < low) return 'high below low';

  return { open, high, low, close };
}

interface TimedBar {
  time: number;
  date?: string;
  /** Instant the bar's period ends, for `complete`. */
  end: number;
}

function timedBar(
  t: number,
  instrument: Instrument,
  interval: Interval,
): TimedBar {
  if (!isDaily(interval)) return { time: t, end: t + INTERVAL_MS[interval] };
  const date = periodDate(tradingDateAt(instrument, t), interval);
  const start = DateTime.fromISO(date, { zone: timeZoneOf(instrument) });
  const length =
    interval === '1d'
      ? { days: 1 }
      : interval === '1wk'
        ? { weeks: 1 }
        : { months: 1 };

  return {
    time: Date.parse(`${date}T00:00:00Z`),
    date,
    end: start.plus(length).toMillis(),
  };
}

/**
 * Returns the date a daily, weekly or monthly bar is keyed by. A week is
 * dated by its Monday whether Polygon labels it with the Sunday before or
 * with the Monday itself, hence the day added before taking the week start.
 */
function periodDate(date: string, interval: Interval): string {
  if (interval === '1d') return date;
  const day = DateTime.fromISO(date, { zone: 'utc' });
  const start =
    interval === '1wk'
      ? day.plus({ days: 1 }).startOf('week')
      : day.startOf('month');

  return start.toISODate() ?? date;
}
