import { z } from 'zod';
import type { UsEquityCalendar } from '../../market/exchange-calendar.js';
import { currencyOf } from '../../market/listing-currency.js';
import { sessionAt } from '../../market/market-session.js';
import type { Quote } from '../../market/quote.js';
import type { Instrument } from '../../market/symbol.js';
import type { UpstreamRequest } from '../upstream/upstream-http.client.js';
import type { Fail } from './finnhub-payload.js';

const price = z.number().nullable();
const optionalPrice = price.optional();

/**
 * `/quote` body: `c` current price, `d` change, `dp` change in percent,
 * `h`, `l`, `o` the day's high, low and open, `pc` the previous close and
 * `t` the time of `c` in epoch seconds. It has no volume, bid or ask.
 */
export const quotePayload = z.object({
  c: price,
  d: optionalPrice,
  dp: optionalPrice,
  h: optionalPrice,
  l: optionalPrice,
  o: optionalPrice,
  pc: optionalPrice,
  t: z.number().int().nullable(),
});

export type QuotePayload = z.infer<typeof quotePayload>;

/** Inputs of a quote besides the payload. */
export interface QuoteContext {
  instrument: Instrument;
  now: number;
  calendar: UsEquityCalendar;
  fail: Fail;
}

export function quoteRequest(
  finnhubSymbol: string,
  symbol: string,
): UpstreamRequest {
  return { path: '/quote', query: { symbol: finnhubSymbol }, symbol };
}

/**
 * Builds the quote from a `/quote` body. For a symbol it does not know,
 * Finnhub returns HTTP 200 with every price 0 (`t` 0, `d` and `dp` null),
 * so a price of 0 or less is SYMBOL_NOT_FOUND, never a price. Any other zero
 * price field means the value is missing and becomes null, and so do the
 * change figures when the previous close is missing. A price without a
 * time is UPSTREAM_MALFORMED.
 */
export function buildQuote(
  payload: QuotePayload,
  context: QuoteContext,
): Quote {
  const { instrument, fail } = context;
  const current = positive(payload.c);
  if (current === null) {
    throw fail(
      'SYMBOL_NOT_FOUND',
      `Finnhub does not know ${instrument.symbol}: its quote has no price above 0.`,
    );
  }
  if (payload.t === null || payload.t <= 0) {
    throw fail(
      'UPSTREAM_MALFORMED',
      `Finnhub sent a price for ${instrument.symbol} without a time.`,
    );
  }
  const previousClose = positive(payload.pc);

  return {
    symbol: instrument.symbol,
    assetClass: instrument.assetClass,
    currency: currencyOf(instrument),
    // The quote does not name the exchange of its price.
    exchange: null,
    price: current,
    change: previousClose === null ? null : (payload.d ?? null),
    changePercent: previousClose === null ? null : (payload.dp ?? null),
    previousClose,
    open: positive(payload.o),
    high: positive(payload.h),
    low: positive(payload.l),
    volume: null,
    bid: null,
    ask: null,
    session: sessionAt(instrument, context.now, context.calendar),
    asOf: payload.t * 1000,
    source: 'finnhub',
    stale: false,
    delayed: 0,
  };
}

function positive(value: number | null | undefined): number | null {
  return value != null && value > 0 ? value : null;
}
