import { z } from 'zod';
import { INTERVAL_MS, isDaily, type Interval } from '../../market/interval.js';
import type { HistoryQuery } from '../market-data-source.js';
import type {
  UpstreamRequest,
  UpstreamResponse,
} from '../upstream/upstream-http.client.js';
import {
  quoted,
  readJson,
  rejectUnexpectedStatus,
  validate,
  yahooErrorOf,
  type Fail,
} from './yahoo-payload.js';

/** A series value: a number, or null (or a string such as `"null"`) for a gap. */
const cell = z.union([z.number(), z.string(), z.null()]);
const series = z.array(cell).optional();

const chartResult = z.object({
  meta: z.object({
    currency: z.string().nullish(),
    symbol: z.string(),
    exchangeTimezoneName: z.string().nullish(),
  }),
  timestamp: z.array(z.number()).optional(),
  indicators: z.object({
    quote: z
      .array(
        z.object({
          open: series,
          high: series,
          low: series,
          close: series,
          volume: series,
        }),
      )
      .optional(),
    adjclose: z.array(z.object({ adjclose: series })).optional(),
  }),
  events: z
    .object({
      splits: z
        .record(
          z.string(),
          z.object({
            date: z.number(),
            numerator: z.number().positive(),
            denominator: z.number().positive(),
          }),
        )
        .optional(),
      dividends: z
        .record(z.string(), z.object({ date: z.number(), amount: z.number() }))
        .optional(),
    })
    .optional(),
});

const chartPayload = z.object({
  chart: z.object({ result: z.array(chartResult).nullable() }),
});

export type ChartResult = z.infer<typeof chartResult>;
export type ChartCell = z.infer<typeof cell>;

const YAHOO_INTERVALS: Readonly<Record<Interval, string>> = {
  '1m': '1m',
  '5m': '5m',
  '15m': '15m',
  '30m': '30m',
  '1h': '60m',
  '1d': '1d',
  '1wk': '1wk',
  '1mo': '1mo',
};

const DAY_S = 86_400;

/**
 * Days back from the end that Yahoo serves intraday bars for in one
 * request: 7 for 1m, 60 for 5m to 30m and 730 for 60m, as its error
 * messages state (`The requested range must be within the last 60 days`).
 */
const INTRADAY_SPAN_DAYS: Readonly<Partial<Record<Interval, number>>> = {
  '1m': 7,
  '5m': 60,
  '15m': 60,
  '30m': 60,
  '1h': 730,
};

/** Hours of trading in a calendar day at the least: a US session over a seven-day week. */
const MIN_TRADING_HOURS_PER_DAY = (6.5 * 5) / 7;
/** 1900-01-01 in epoch seconds: no look-back reaches further. */
const EARLIEST_PERIOD = -2_208_988_800;
/** Days added to a look-back for holidays and weekends at its ends. */
const LOOK_BACK_MARGIN_DAYS = 10;

/** The span a chart call requests, in epoch seconds with both ends included. */
export interface ChartPeriod {
  period1: number;
  period2: number;
}

/**
 * Returns the span to request for a history query. Daily bounds are
 * midnight UTC of a trading date, but Yahoo times a day's bar in the
 * exchange's zone, up to 14 hours either side of that midnight (a forex day
 * even starts at 17:00 New York the day before). So a daily span reaches one
 * day further at each end, and the bars are cut to the query once dated.
 * Without a start, the span reaches back far enough for `limit` bars,
 * within what Yahoo serves for the interval.
 */
export function chartPeriod(query: HistoryQuery): ChartPeriod {
  const daily = isDaily(query.interval);
  const end = Math.floor(query.end / 1000);
  // Yahoo includes a bar that starts at period2 itself.
  const period2 = daily ? end + 2 * DAY_S - 1 : end;
  if (query.start === null) {
    const lookBack = lookBackSeconds(query.interval, query.limit);

    return { period1: Math.max(EARLIEST_PERIOD, period2 - lookBack), period2 };
  }
  const start = Math.floor(query.start / 1000);

  return { period1: daily ? start - DAY_S : start, period2 };
}

/** Builds the chart call of a history query for the span chartPeriod returns. */
export function chartRequest(
  ticker: string,
  query: HistoryQuery,
): UpstreamRequest {
  return {
    path: `/v8/finance/chart/${encodeURIComponent(ticker)}`,
    query: {
      ...chartPeriod(query),
      interval: YAHOO_INTERVALS[query.interval],
      events: 'div,splits',
      includeAdjustedClose: true,
    },
    symbol: query.instrument.symbol,
  };
}

function lookBackSeconds(interval: Interval, limit: number): number {
  const bars = Math.max(limit, 1);
  const span = INTRADAY_SPAN_DAYS[interval];
  if (span === undefined) {
    const days = (bars * INTERVAL_MS[interval] * 7) / 5 / 86_400_000;

    return Math.ceil(days + LOOK_BACK_MARGIN_DAYS) * DAY_S;
  }
  const hours = (bars * INTERVAL_MS[interval]) / 3_600_000;
  const days = hours / MIN_TRADING_HOURS_PER_DAY + LOOK_BACK_MARGIN_DAYS;

  return Math.ceil(Math.min(days, span)) * DAY_S;
}

/**
 * Returns the one result of a chart response. Yahoo's `Not Found` error is
 * SYMBOL_NOT_FOUND; its other errors (a range or interval it does not
 * serve) and an empty result are DATA_NOT_AVAILABLE.
 */
export function parseChart(
  response: UpstreamResponse,
  ticker: string,
  fail: Fail,
): ChartResult {
  const json = readJson(response, fail);
  const error = yahooErrorOf(json);
  if (error) {
    const detail = `Yahoo's chart for ${ticker}: ${error.code}${error.description ? `, ${quoted(error.description)}` : ''}.`;
    throw fail(
      error.code === 'Not Found' ? 'SYMBOL_NOT_FOUND' : 'DATA_NOT_AVAILABLE',
      detail,
    );
  }
  rejectUnexpectedStatus(response, fail);
  const payload = validate(chartPayload, json, 'chart', fail);
  const result = payload.chart.result?.[0];
  if (!result) {
    throw fail('DATA_NOT_AVAILABLE', `Yahoo sent no chart for ${ticker}.`);
  }

  return result;
}
