import { z } from 'zod';
import { currencyOf } from '../../market/listing-currency.js';
import type { Quote, Session } from '../../market/quote.js';
import type { Instrument } from '../../market/symbol.js';
import type {
  UpstreamRequest,
  UpstreamResponse,
} from '../upstream/upstream-http.client.js';
import {
  readJson,
  rejectUnexpectedStatus,
  validate,
  type Fail,
} from './yahoo-payload.js';
import type { YahooCredentials } from './yahoo-session.js';
import { exchangeMic, priceUnit } from './yahoo-units.js';

const optionalPrice = z.number().nullish();

const quoteRow = z.object({
  symbol: z.string(),
  quoteType: z.string().optional(),
  currency: z.string().nullish(),
  exchange: z.string().nullish(),
  marketState: z.string().nullish(),
  regularMarketPrice: optionalPrice,
  regularMarketTime: z.number().nullish(),
  regularMarketChange: optionalPrice,
  regularMarketChangePercent: optionalPrice,
  regularMarketPreviousClose: optionalPrice,
  regularMarketOpen: optionalPrice,
  regularMarketDayHigh: optionalPrice,
  regularMarketDayLow: optionalPrice,
  regularMarketVolume: z.number().nullish(),
  bid: optionalPrice,
  ask: optionalPrice,
  exchangeDataDelayedBy: z.number().nullish(),
});

const quotePayload = z.object({
  quoteResponse: z.object({ result: z.array(quoteRow) }),
});

export type YahooQuoteRow = z.infer<typeof quoteRow>;

/** Yahoo's `marketState` values and the session each stands for. */
const SESSIONS: Readonly<Record<string, Session>> = {
  PREPRE: 'closed',
  PRE: 'pre-market',
  REGULAR: 'regular',
  POST: 'after-hours',
  POSTPOST: 'closed',
  CLOSED: 'closed',
};

/** Builds the v7 quote call for one ticker, with the cookie and crumb. */
export function quoteRequest(
  ticker: string,
  symbol: string,
  credentials: YahooCredentials,
): UpstreamRequest {
  return {
    path: '/v7/finance/quote',
    query: { symbols: ticker, crumb: credentials.crumb },
    headers: { cookie: credentials.cookie },
    symbol,
  };
}

/**
 * Returns the row for `ticker` from a v7 quote response. An empty result,
 * as for a delisted or expired symbol, is SYMBOL_NOT_FOUND.
 */
export function parseQuote(
  response: UpstreamResponse,
  ticker: string,
  fail: Fail,
): YahooQuoteRow {
  const json = readJson(response, fail);
  rejectUnexpectedStatus(response, fail);
  const payload = validate(quotePayload, json, 'quote response', fail);
  const row = payload.quoteResponse.result.find(
    (candidate) => candidate.symbol.toUpperCase() === ticker.toUpperCase(),
  );
  if (!row) {
    throw fail('SYMBOL_NOT_FOUND', `Yahoo has no quote for ${ticker}.`);
  }

  return row;
}

/**
 * Builds the quote from the regular-session fields of a v7 row. A row
 * without a price or time, such as the `quoteType: NONE` rows Yahoo sends
 * for renamed symbols, is SYMBOL_NOT_FOUND. A crossed or zero bid and ask
 * pair is left out.
 */
export function buildQuote(
  row: YahooQuoteRow,
  instrument: Instrument,
  fail: Fail,
): Quote {
  const price = row.regularMarketPrice;
  const time = row.regularMarketTime;
  if (price == null || time == null || row.quoteType === 'NONE') {
    throw fail(
      'SYMBOL_NOT_FOUND',
      `Yahoo lists ${row.symbol} without a price; it may be delisted or renamed.`,
    );
  }
  const unit = priceUnit(row.currency, currencyOf(instrument));
  const scaled = (value: number | null | undefined) =>
    value == null ? null : unit.scale(value);
  const spread = bidAsk(scaled(row.bid), scaled(row.ask));

  return {
    symbol: instrument.symbol,
    assetClass: instrument.assetClass,
    currency: unit.currency,
    exchange: exchangeMic(row.exchange),
    price: unit.scale(price),
    change: scaled(row.regularMarketChange),
    changePercent: row.regularMarketChangePercent ?? null,
    previousClose: scaled(row.regularMarketPreviousClose),
    open: scaled(row.regularMarketOpen),
    high: scaled(row.regularMarketDayHigh),
    low: scaled(row.regularMarketDayLow),
    // Yahoo reports 0 for currency pairs, which trade without a volume figure.
    volume:
      instrument.assetClass === 'forex'
        ? null
        : (row.regularMarketVolume ?? null),
    bid: spread.bid,
    ask: spread.ask,
    session: SESSIONS[row.marketState ?? ''] ?? 'closed',
    asOf: time * 1000,
    source: 'yahoo',
    stale: false,
    delayed: row.exchangeDataDelayedBy ?? 0,
  };
}

function bidAsk(
  bid: number | null,
  ask: number | null,
): { bid: number | null; ask: number | null } {
  if (bid === null || ask === null || bid <= 0 || ask <= 0 || bid > ask) {
    return { bid: null, ask: null };
  }

  return { bid, ask };
}
