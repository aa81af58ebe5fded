import { DateTime } from 'luxon';
import {
  barEnd,
  INTERVAL_MS,
  periodStart,
  type Interval,
} from '../../market/interval.js';
import type { HistoryQuery } from '../market-data-source.js';

/**
 * Candle widths Coinbase serves, in seconds. Coinbase also serves 21600
 * (six hours), which no interval of this API uses.
 */
export type Granularity = 60 | 300 | 900 | 3600 | 86400;

/** Most candles one request may span; Coinbase rejects a longer span. */
export const MAX_CANDLES_PER_REQUEST = 300;

/**
 * Coinbase Exchange opened in January 2015, so no candle is older. Spans
 * start no earlier, which keeps a `from` such as 1990-01-01 from costing
 * pages of empty years.
 * NOTE: the opening month is not stated in the API documentation.
 */
export const EARLIEST_CANDLE = Date.UTC(2015, 0, 1);

/** The candles fetched for a history interval: its own, or finer ones to merge. */
export interface CandlePlan {
  granularity: Granularity;
  /** Interval of the candles fetched. */
  fetched: Interval;
  /** Interval of the bars returned; merged from `fetched` when they differ. */
  target: Interval;
}

/** Inclusive range of candle start times, in epoch ms. */
export interface CandleSpan {
  from: number;
  to: number;
}

/**
 * Coinbase lacks 30m, 1wk and 1mo, so those are merged from 15m and 1d
 * candles.
 */
const FETCHED: Readonly<Record<Interval, Interval>> = {
  '1m': '1m',
  '5m': '5m',
  '15m': '15m',
  '30m': '15m',
  '1h': '1h',
  '1d': '1d',
  '1wk': '1d',
  '1mo': '1d',
};

export function candlePlan(target: Interval): CandlePlan {
  const fetched = FETCHED[target];

  return {
    granularity: (INTERVAL_MS[fetched] / 1000) as Granularity,
    fetched,
    target,
  };
}

/**
 * Returns the candle start times to fetch for a query, or null when none
 * can exist because the range ends before Coinbase opened. The span covers
 * whole bars of the target interval. It starts with the first bar that
 * starts at or after `start`, or `limit` bars before the last one when
 * there is no start. It ends with the bar that contains `end`, but never
 * after the candle forming at `now`.
 */
export function candleSpan(
  query: HistoryQuery,
  plan: CandlePlan,
  now: number,
): CandleSpan | null {
  const fineMs = INTERVAL_MS[plan.fetched];
  const lastBar = barStart(Math.min(query.end, now), plan.target);
  const to = Math.min(
    barEnd(lastBar, plan.target) - fineMs,
    floorTo(now, fineMs),
  );
  const first =
    query.start === null
      ? barsBefore(lastBar, query.limit - 1, plan.target)
      : firstBarFrom(query.start, plan.target);
  const from = Math.max(first, EARLIEST_CANDLE);

  return from <= to ? { from, to } : null;
}

/**
 * Splits a span into request spans of at most 300 candles, from its start
 * forwards or from its end backwards.
 */
export function* candlePages(
  span: CandleSpan,
  plan: CandlePlan,
  direction: 'forward' | 'backward',
): Generator<CandleSpan> {
  const stepMs = plan.granularity * 1000;
  const widthMs = (MAX_CANDLES_PER_REQUEST - 1) * stepMs;
  if (direction === 'forward') {
    for (let from = span.from; from <= span.to; from += widthMs + stepMs) {
      yield { from, to: Math.min(from + widthMs, span.to) };
    }
    return;
  }
  for (let to = span.to; to >= span.from; to -= widthMs + stepMs) {
    yield { from: Math.max(to - widthMs, span.from), to };
  }
}

/**
 * Returns the query parameters of one candle request. `end` is the start
 * of the page's last candle, which Coinbase includes.
 * NOTE: that Coinbase includes the candle starting at `end` is taken from
 * public client code, which requests 300 candles as `start` plus 299
 * steps. Coinbase's documentation does not say.
 */
export function candleQuery(
  page: CandleSpan,
  plan: CandlePlan,
): Record<string, string | number> {
  return {
    granularity: plan.granularity,
    start: isoSeconds(page.from),
    end: isoSeconds(page.to),
  };
}

/** Returns the start of the bar of `interval` that contains `time`, counted in UTC. */
export function barStart(time: number, interval: Interval): number {
  if (interval === '1wk' || interval === '1mo') {
    return periodStart(time, interval);
  }

  return floorTo(time, INTERVAL_MS[interval]);
}

function firstBarFrom(start: number, interval: Interval): number {
  const bar = barStart(start, interval);

  return bar < start ? barEnd(bar, interval) : bar;
}

function barsBefore(bar: number, count: number, interval: Interval): number {
  if (interval === '1wk' || interval === '1mo') {
    const unit = interval === '1wk' ? 'weeks' : 'months';

    return DateTime.fromMillis(bar, { zone: 'utc' })
      .minus({ [unit]: count })
      .toMillis();
  }

  return bar - count * INTERVAL_MS[interval];
}

function floorTo(time: number, widthMs: number): number {
  return Math.floor(time / widthMs) * widthMs;
}

function isoSeconds(ms: number): string {
  return (
    DateTime.fromMillis(ms, { zone: 'utc' }).toISO({
      suppressMilliseconds: true,
    }) ?? ''
  );
}
