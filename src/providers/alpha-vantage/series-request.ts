import { DateTime } from 'luxon';
import type { Adjustment } from '../../market/bar.js';
import { INTERVAL_MS, type Interval } from '../../market/interval.js';
import type { HistoryQuery } from '../market-data-source.js';
import type { AlphaVantageSymbol } from './symbol-mapping.js';

/** The query of one series call, without the key, and what its bars hold. */
export interface SeriesRequest {
  params: Record<string, string>;
  adjustment: Adjustment;
  /** Quote currency of a crypto series, which names its price fields. */
  market?: string;
}

type Period = 'DAILY' | 'WEEKLY' | 'MONTHLY';

/** Rows `outputsize=compact` returns; `full` returns the whole history. */
const COMPACT_ROWS = 100;
/** Days of intraday data a call without `month` covers. */
const TRAILING_INTRADAY_DAYS = 30;
const DAY_MS = INTERVAL_MS['1d'];

const PERIODS: Partial<Record<Interval, Period>> = {
  '1d': 'DAILY',
  '1wk': 'WEEKLY',
  '1mo': 'MONTHLY',
};

const MINUTES: Partial<Record<Interval, string>> = {
  '1m': '1min',
  '5m': '5min',
  '15m': '15min',
  '30m': '30min',
  '1h': '60min',
};

/**
 * Picks the function and parameters for a history query, or returns null
 * when Alpha Vantage has no such series (crypto below one day).
 * `zone` is the instrument's time zone, which decides the `month` of an
 * older intraday range.
 */
export function seriesRequest(
  symbol: AlphaVantageSymbol,
  query: HistoryQuery,
  zone: string,
  now: number,
): SeriesRequest | null {
  const period = PERIODS[query.interval];
  const minutes = MINUTES[query.interval];
  if (symbol.kind === 'listing') {
    if (period) return listingPeriod(symbol.symbol, period, query, now);
    if (minutes)
      return listingIntraday(symbol.symbol, minutes, query, zone, now);
    return null;
  }
  if (symbol.assetClass === 'crypto') {
    if (!period) return null;
    const params = {
      function: `DIGITAL_CURRENCY_${period}`,
      symbol: symbol.from,
      market: symbol.to,
    };

    return { params, adjustment: 'raw', market: symbol.to };
  }
  const pair = { from_symbol: symbol.from, to_symbol: symbol.to };
  if (period === 'DAILY') {
    const outputsize = dailyOutputSize(query, now);
    return {
      params: { function: 'FX_DAILY', ...pair, outputsize },
      adjustment: 'raw',
    };
  }
  if (period)
    return { params: { function: `FX_${period}`, ...pair }, adjustment: 'raw' };
  if (!minutes) return null;
  const outputsize = intradayOutputSize(query, now);
  const params = {
    function: 'FX_INTRADAY',
    ...pair,
    interval: minutes,
    outputsize,
  };

  return { params, adjustment: 'raw' };
}

/**
 * TIME_SERIES_DAILY contains raw prices (the adjusted daily function is a
 * premium one), and so do the weekly and monthly functions.
 */
function listingPeriod(
  symbol: string,
  period: Period,
  query: HistoryQuery,
  now: number,
): SeriesRequest {
  const params: Record<string, string> = {
    function: `TIME_SERIES_${period}`,
    symbol,
  };
  if (period === 'DAILY') params.outputsize = dailyOutputSize(query, now);

  return { params, adjustment: 'raw' };
}

/** Intraday bars come split- and dividend-adjusted unless `adjusted=false`. */
function listingIntraday(
  symbol: string,
  minutes: string,
  query: HistoryQuery,
  zone: string,
  now: number,
): SeriesRequest {
  const params: Record<string, string> = {
    function: 'TIME_SERIES_INTRADAY',
    symbol,
    interval: minutes,
    adjusted: String(query.adjusted),
    outputsize: intradayOutputSize(query, now),
  };
  const month = olderMonth(query, zone, now);
  if (month) {
    params.month = month;
    params.outputsize = 'full';
  }

  return { params, adjustment: query.adjusted ? 'split+dividend' : 'raw' };
}

/**
 * Returns `YYYY-MM` when the range starts before the trailing window and
 * ends in the month it starts in, so one call with `month` covers it.
 * TODO: a range across several older months gets only the trailing window.
 */
function olderMonth(
  query: HistoryQuery,
  zone: string,
  now: number,
): string | null {
  if (
    query.start === null ||
    query.start >= now - TRAILING_INTRADAY_DAYS * DAY_MS
  ) {
    return null;
  }
  const first = DateTime.fromMillis(query.start, { zone }).toFormat('yyyy-MM');
  const last = DateTime.fromMillis(query.end, { zone }).toFormat('yyyy-MM');

  return first === last ? first : null;
}

/**
 * Returns `compact` when the last 100 rows cover the request. Weekdays are
 * counted from the earliest bar needed to now, which is at least the number
 * of trading days, so `compact` is never chosen when it would fall short.
 */
function dailyOutputSize(query: HistoryQuery, now: number): 'compact' | 'full' {
  const needed =
    query.start === null
      ? query.limit + weekdaysBetween(query.end, now)
      : weekdaysBetween(query.start, now);

  return needed <= COMPACT_ROWS ? 'compact' : 'full';
}

/** Like `dailyOutputSize`, counting every bar of calendar time. */
function intradayOutputSize(
  query: HistoryQuery,
  now: number,
): 'compact' | 'full' {
  const width = INTERVAL_MS[query.interval];
  const needed =
    query.start === null
      ? query.limit + Math.ceil(Math.max(0, now - query.end) / width)
      : Math.ceil(Math.max(0, now - query.start) / width);

  return needed <= COMPACT_ROWS ? 'compact' : 'full';
}

/** Counts Monday to Friday dates from `from` to `to`, both included, in UTC. */
export function weekdaysBetween(from: number, to: number): number {
  const first = Math.floor(from / DAY_MS);
  const last = Math.floor(to / DAY_MS);
  if (last < first) return 0;
  const days = last - first + 1;
  let count = Math.floor(days / 7) * 5;
  // The epoch day 0 was a Thursday; Luxon numbers Monday 1 to Sunday 7.
  for (let day = first + Math.floor(days / 7) * 7; day <= last; day += 1) {
    const weekday = ((((day + 3) % 7) + 7) % 7) + 1;
    if (weekday <= 5) count += 1;
  }

  return count;
}
