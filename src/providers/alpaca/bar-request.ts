import { DateTime } from 'luxon';
import { timeZoneOf } from '../../market/exchange-zones.js';
import { isDaily, type Interval } from '../../market/interval.js';
import type { HistoryQuery } from '../market-data-source.js';
import type { AlpacaSymbol } from './alpaca-symbols.js';
import { formatInstant } from './alpaca-time.js';
import type { AlpacaFeed } from './feed-access.js';

/** Alpaca's `timeframe` for each interval of the API. */
export const TIMEFRAMES: Readonly<Record<Interval, string>> = {
  '1m': '1Min',
  '5m': '5Min',
  '15m': '15Min',
  '30m': '30Min',
  '1h': '1Hour',
  '1d': '1Day',
  '1wk': '1Week',
  '1mo': '1Month',
};

/** Bars per page, the maximum Alpaca accepts (10,001 is rejected with 400). */
export const BARS_PAGE_LIMIT = 10_000;

/**
 * Start of requests for the latest bars, which read newest first and stop
 * once they have enough. It lies before any bar Alpaca serves (stocks from
 * 2016, crypto later), so the start never cuts the series short.
 */
const EARLIEST_START = Date.parse('2000-01-01T00:00:00Z');
const DAY_MS = 86_400_000;

/** The instants a bars request filters `t` by, both inclusive, and the order of its pages. */
export interface BarWindow {
  start: number;
  end: number;
  sort: 'asc' | 'desc';
}

/**
 * Converts a history query's bounds into instants for Alpaca. Daily and
 * longer bounds are trading dates (midnight UTC of the date), which become
 * the whole days in the instrument's zone, New York for stocks and UTC for
 * crypto. A weekly request starts a day early, in case Alpaca dates a week
 * by its Sunday. A query without `start` requests the newest bars first.
 */
export function barWindow(query: HistoryQuery): BarWindow {
  const sort = query.start === null ? 'desc' : 'asc';
  const start = query.start ?? EARLIEST_START;
  if (!isDaily(query.interval)) return { start, end: query.end, sort };
  const zone = timeZoneOf(query.instrument);
  const first = query.interval === '1wk' ? start - DAY_MS : start;

  return {
    start: dayInZone(first, zone).startOf('day').toMillis(),
    end: dayInZone(query.end, zone).endOf('day').toMillis(),
    sort,
  };
}

export interface BarsRequest {
  path: string;
  query: Record<string, string | number | undefined>;
}

/**
 * Builds the request for one page of bars. Stocks take the feed and the
 * adjustment, which is `all` (splits and dividends) when the query requests
 * adjusted prices and `raw` otherwise. Crypto takes neither.
 */
export function barsRequest(
  symbol: AlpacaSymbol,
  query: HistoryQuery,
  window: BarWindow,
  options: { feed: AlpacaFeed; pageToken?: string },
): BarsRequest {
  const common = {
    timeframe: TIMEFRAMES[query.interval],
    start: formatInstant(window.start),
    end: formatInstant(window.end),
    limit: Math.min(BARS_PAGE_LIMIT, query.limit),
    sort: window.sort,
    page_token: options.pageToken,
  };
  if (symbol.market === 'crypto') {
    return {
      path: '/v1beta3/crypto/us/bars',
      query: { symbols: symbol.symbol, ...common },
    };
  }

  return {
    path: `/v2/stocks/${encodeURIComponent(symbol.symbol)}/bars`,
    query: {
      ...common,
      adjustment: query.adjusted ? 'all' : 'raw',
      feed: options.feed,
    },
  };
}

/** Reads midnight UTC of a trading date as that date's midnight in `zone`. */
function dayInZone(ms: number, zone: string): DateTime {
  const date = new Date(ms).toISOString().slice(0, 10);

  return DateTime.fromISO(date, { zone });
}
