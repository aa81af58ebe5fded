import { isUsListed } from '../../market/exchange-zones.js';
import { INTERVAL_MS, isDaily, type Interval } from '../../market/interval.js';
import type { HistoryQuery } from '../market-data-source.js';

type Timespan = 'minute' | 'hour' | 'day' | 'week' | 'month';

/** Polygon's multiplier and timespan for each interval of the API. */
export const AGGREGATE_RANGES: Readonly<
  Record<Interval, { multiplier: number; timespan: Timespan }>
> = {
  '1m': { multiplier: 1, timespan: 'minute' },
  '5m': { multiplier: 5, timespan: 'minute' },
  '15m': { multiplier: 15, timespan: 'minute' },
  '30m': { multiplier: 30, timespan: 'minute' },
  '1h': { multiplier: 1, timespan: 'hour' },
  '1d': { multiplier: 1, timespan: 'day' },
  '1wk': { multiplier: 1, timespan: 'week' },
  '1mo': { multiplier: 1, timespan: 'month' },
};

/** Base aggregates per page, the maximum Polygon accepts. */
export const AGGREGATES_PAGE_LIMIT = 50_000;

const DAY_MS = 86_400_000;
/**
 * Hours of bars a US trading day has at least: the regular session. Extended
 * hours add more, so a lookback sized by this fetches enough bars.
 */
const US_SESSION_HOURS = 6.5;
/** Calendar days per trading day, five trading days a week. */
const WEEKDAY_SPREAD = 7 / 5;
/** Extra lookback for holidays and days without trades: 10% plus 10 days. */
const LOOKBACK_MARGIN = 1.1;
const LOOKBACK_EXTRA_MS = 10 * DAY_MS;

export interface AggregatesRequest {
  path: string;
  query: Record<string, string | number>;
}

/**
 * Builds the first aggregates request of a history query. Intraday bounds
 * are epoch milliseconds; daily and longer bounds are trading dates, which
 * Polygon counts in the instrument's zone. A weekly request starts one day
 * early because Polygon may date a week by its Sunday.
 */
export function aggregatesRequest(
  ticker: string,
  query: HistoryQuery,
): AggregatesRequest {
  const { multiplier, timespan } = AGGREGATE_RANGES[query.interval];
  const start = query.start ?? lookbackStart(query);
  const [from, to] = isDaily(query.interval)
    ? [
        isoDate(query.interval === '1wk' ? start - DAY_MS : start),
        isoDate(query.end),
      ]
    : [String(Math.max(0, start)), String(query.end)];

  return {
    path: `/v2/aggs/ticker/${pathSegment(ticker)}/range/${multiplier}/${timespan}/${from}/${to}`,
    query: {
      adjusted: String(query.adjusted),
      sort: 'asc',
      limit: AGGREGATES_PAGE_LIMIT,
    },
  };
}

/**
 * Encodes a ticker for a URL path. Colons stay as they are, as Polygon's own
 * clients send `X:BTCUSD`; RFC 3986 allows them inside a path segment.
 */
export function pathSegment(ticker: string): string {
  return encodeURIComponent(ticker).replaceAll('%3A', ':');
}

/**
 * Returns where to start fetching when a query requests the latest `limit`
 * bars: far enough back that the trading hours in between hold that many
 * bars, with a margin for holidays. Surplus bars are cut afterwards.
 */
export function lookbackStart(query: HistoryQuery): number {
  const { instrument, interval, limit } = query;
  let span: number;
  if (interval === '1wk') span = (limit + 1) * 7 * DAY_MS;
  else if (interval === '1mo') span = (limit + 1) * 31 * DAY_MS;
  else if (instrument.assetClass === 'crypto')
    span = limit * INTERVAL_MS[interval];
  else if (isDaily(interval)) span = limit * DAY_MS * WEEKDAY_SPREAD;
  else if (isUsListed(instrument)) {
    const tradingDays =
      (limit * INTERVAL_MS[interval]) / (US_SESSION_HOURS * 3_600_000);
    span = tradingDays * DAY_MS * WEEKDAY_SPREAD;
  } else span = limit * INTERVAL_MS[interval] * WEEKDAY_SPREAD;

  return Math.max(0, query.end - span * LOOKBACK_MARGIN - LOOKBACK_EXTRA_MS);
}

/** Returns the ISO date of midnight UTC `ms`, as daily bounds are keyed. */
function isoDate(ms: number): string {
  return new Date(Math.max(0, ms)).toISOString().slice(0, 10);
}
