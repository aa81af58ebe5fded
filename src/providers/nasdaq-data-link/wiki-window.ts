import type { Coverage } from '../../market/bar.js';
import {
  barEnd,
  isDaily,
  periodStart,
  type Interval,
} from '../../market/interval.js';
import type { HistoryQuery } from '../market-data-source.js';

/**
 * Dates the WIKI prices table covers. The community feed stopped updating,
 * so its last rows are dated 2018-03-27, as the `newest_available_date` and
 * `refreshed_at` of WIKI datasets show.
 *
 * NOTE: 1962-01-02 is the earliest row of the whole table as counted in a
 * full public copy of it. Nasdaq's documentation does not state it, and
 * each ticker starts on it or later.
 */
export const WIKI_COVERAGE: Coverage = { from: '1962-01-02', to: '2018-03-27' };

const DAY_MS = 86_400_000;
const FIRST_MS = dayMs(WIKI_COVERAGE.from);
const LAST_MS = dayMs(WIKI_COVERAGE.to);

/** Dates of the daily rows to request: `date.gte` and `date.lte`, inclusive. */
export interface DailyWindow {
  gte: string;
  lte: string;
}

/**
 * Returns the daily rows a query needs, cut to the dates WIKI holds, or
 * null when the whole range lies after the table's last date. Weeks and
 * months need the daily rows of every period they touch. A query without
 * a start needs enough days before its end to hold `limit` bars.
 */
export function dailyWindow(query: HistoryQuery): DailyWindow | null {
  const { interval, start } = query;
  if (start !== null && start > LAST_MS) return null;
  const lastDay = Math.min(lastDayOf(query.end, interval), LAST_MS);
  const lookBack = lastDay - lookBackMs(interval, query.limit);
  const firstDay = start ?? Math.min(Math.max(lookBack, FIRST_MS), lastDay);

  return { gte: isoDate(firstDay), lte: isoDate(lastDay) };
}

/**
 * Returns the last day of the period that starts at or before `end`:
 * `end` itself for days, the Sunday of its week, the end of its month.
 */
function lastDayOf(end: number, interval: Interval): number {
  if (interval === '1d' || !isDaily(interval)) return end;

  return barEnd(periodStart(end, interval), interval) - DAY_MS;
}

/**
 * Returns a span, in milliseconds, long enough to contain `limit` bars.
 * Five trading days take seven calendar days and US exchanges close on
 * about ten more days a year, so 1.5 days a bar plus ten days is ample.
 *
 * NOTE: a ticker halted for months within the span gets fewer bars.
 */
function lookBackMs(interval: Interval, limit: number): number {
  switch (interval) {
    case '1wk':
      return (limit + 1) * 7 * DAY_MS;
    case '1mo':
      return (limit + 1) * 31 * DAY_MS;
    case '1d':
    case '1m':
    case '5m':
    case '15m':
    case '30m':
    case '1h':
      return (Math.ceil(limit * 1.5) + 10) * DAY_MS;
  }
}

/** Returns midnight UTC of an ISO date, the key of a daily bar. */
export function dayMs(date: string): number {
  return Date.parse(`${date}T00:00:00Z`);
}

export function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
