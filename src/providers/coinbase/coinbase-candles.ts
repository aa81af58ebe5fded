import { DateTime } from 'luxon';
import { aggregateBars } from '../../market/bar-aggregation.js';
import type { Bar } from '../../market/bar.js';
import { barEnd, isDaily } from '../../market/interval.js';
import type { HistoryQuery } from '../market-data-source.js';
import type { CandlePlan, CandleSpan } from './coinbase-candle-plan.js';

/** One candle read from a row `[time, low, high, open, close, volume]`. */
export interface Candle {
  /** Start of the candle, epoch ms. */
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number | null;
}

/** Rows left out of the candles, by reason. */
export interface DroppedRows {
  /** A time or price that is null, `"null"`, NaN, not positive, or a low above the high. */
  bad: number;
  /** A second row for the same time; the first one read is kept. */
  duplicate: number;
  /** A row outside the span requested, which Coinbase may add before `start`. */
  outside: number;
}

const DECIMAL = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;

/**
 * Reads the rows of one candle response, keeping those whose time lies in
 * the page requested. Rows come newest first; order is restored later.
 */
export function readCandleRows(
  rows: readonly (readonly unknown[])[],
  page: CandleSpan,
): { candles: Candle[]; bad: number; outside: number } {
  const candles: Candle[] = [];
  let bad = 0;
  let outside = 0;
  for (const row of rows) {
    const candle = readCandle(row);
    if (!candle) bad += 1;
    else if (candle.time < page.from || candle.time > page.to) outside += 1;
    else candles.push(candle);
  }

  return { candles, bad, outside };
}

/** Sorts candles by time and keeps the first of each time. */
export function uniqueCandles(candles: readonly Candle[]): {
  candles: Candle[];
  duplicate: number;
} {
  const byTime = new Map<number, Candle>();
  for (const candle of candles) {
    if (!byTime.has(candle.time)) byTime.set(candle.time, candle);
  }
  const unique = [...byTime.values()].sort((a, b) => a.time - b.time);

  return { candles: unique, duplicate: candles.length - unique.length };
}

/**
 * Turns ascending candles into bars of the query's interval: daily candles
 * are dated by their UTC day, and intervals Coinbase lacks are merged from
 * finer candles in UTC. The bars are cut to the query's window, or to its
 * last `limit` bars when it has no start.
 */
export function candleBars(
  candles: readonly Candle[],
  plan: CandlePlan,
  query: HistoryQuery,
  now: number,
): Bar[] {
  const fine = candles.map((candle) => candleBar(candle, plan, now));
  const merged =
    plan.fetched === plan.target
      ? fine
      : aggregateBars(fine, plan.target, { timeZone: 'UTC', dataEnd: now });
  const inWindow = merged.filter(
    (bar) =>
      (query.start === null || bar.time >= query.start) &&
      bar.time <= query.end,
  );

  return query.start === null
    ? inWindow.slice(-query.limit)
    : inWindow.slice(0, query.limit);
}

function candleBar(candle: Candle, plan: CandlePlan, now: number): Bar {
  const { time, ...prices } = candle;
  if (!isDaily(plan.fetched)) {
    return { time, ...prices, complete: barEnd(time, plan.fetched) <= now };
  }
  const date = DateTime.fromMillis(time, { zone: 'utc' }).toISODate() ?? '';
  const midnight = Date.parse(`${date}T00:00:00Z`);

  return {
    time: midnight,
    date,
    ...prices,
    complete: barEnd(midnight, plan.fetched) <= now,
  };
}

/** Reads one row, or returns null when its time or a price is unusable. */
function readCandle(row: readonly unknown[]): Candle | null {
  if (row.length < 6) return null;
  const [time, low, high, open, close, volume] = row
    .slice(0, 6)
    .map(readNumber);
  if (!isNumber(time) || !Number.isInteger(time)) return null;
  if (!isNumber(low) || !isNumber(high) || !isNumber(open)) return null;
  if (!isNumber(close)) return null;
  if (low <= 0 || open <= 0 || close <= 0 || low > high) return null;

  return {
    time: time * 1000,
    open,
    high,
    low,
    close,
    volume: isNumber(volume) && volume >= 0 ? volume : null,
  };
}

function isNumber(value: number | null | undefined): value is number {
  return typeof value === 'number';
}

/** Reads a JSON number or a decimal string; anything else, `"null"` included, is null. */
function readNumber(value: unknown): number | null {
  const number =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && DECIMAL.test(value.trim())
        ? Number(value)
        : Number.NaN;

  return Number.isFinite(number) ? number : null;
}
