import { z } from 'zod';

/**
 * A number field as Alpaca may send it. Strings and nulls pass the schema,
 * so that one bad row is dropped and counted rather than failing the whole
 * payload. `finiteNumber` turns the value into a number or null.
 */
const looseNumber = z.union([z.number(), z.string(), z.null()]).optional();

export type LooseNumber = z.infer<typeof looseNumber>;

/** Returns the value when it is a finite number, else null. */
export function finiteNumber(value: LooseNumber): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** Returns the value when it is a finite number above zero, else null. */
export function positiveNumber(value: LooseNumber): number | null {
  const number = finiteNumber(value);

  return number !== null && number > 0 ? number : null;
}

/**
 * One bar. `t` is the bar's start as RFC 3339 text, read row by row, so a
 * bad time drops its row only.
 */
export const barSchema = z.object({
  t: z.string(),
  o: looseNumber,
  h: looseNumber,
  l: looseNumber,
  c: looseNumber,
  v: looseNumber,
});

export type AlpacaBar = z.infer<typeof barSchema>;

/** A trade: time `t` and price `p`; size, exchange and conditions are not used. */
const tradeSchema = z.object({ t: z.string(), p: looseNumber });

export type AlpacaTrade = z.infer<typeof tradeSchema>;

/** A top-of-book quote: bid price `bp` and ask price `ap`. */
const quoteSchema = z.object({
  t: z.string(),
  bp: looseNumber,
  ap: looseNumber,
});

export type AlpacaQuote = z.infer<typeof quoteSchema>;

const snapshotSchema = z.object({
  latestTrade: tradeSchema.nullish(),
  latestQuote: quoteSchema.nullish(),
  minuteBar: barSchema.nullish(),
  dailyBar: barSchema.nullish(),
  prevDailyBar: barSchema.nullish(),
});

export type AlpacaSnapshot = z.infer<typeof snapshotSchema>;

/** `/v2/stocks/{symbol}/snapshot`: the snapshot fields at the top level. */
export const stockSnapshotSchema = snapshotSchema.extend({
  symbol: z.string().optional(),
});

/** `/v1beta3/crypto/us/snapshots?symbols=…`: snapshots keyed by pair. */
export const cryptoSnapshotsSchema = z.object({
  snapshots: z.record(z.string(), snapshotSchema.nullable()),
});

/** `/v2/stocks/{symbol}/trades/latest`. */
export const latestTradeSchema = z.object({
  symbol: z.string().optional(),
  trade: tradeSchema.nullish(),
});

/** `/v2/stocks/{symbol}/quotes/latest`. */
export const latestQuoteSchema = z.object({
  symbol: z.string().optional(),
  quote: quoteSchema.nullish(),
});

/** `/v1beta3/crypto/us/latest/quotes?symbols=…`: quotes keyed by pair. */
export const cryptoLatestQuotesSchema = z.object({
  quotes: z.record(z.string(), quoteSchema.nullable()),
});

/**
 * `/v2/stocks/{symbol}/bars`. `bars` is null or empty both for a symbol
 * Alpaca does not list and for a range without trades. `next_page_token` is
 * null on the last page.
 */
export const stockBarsSchema = z.object({
  bars: z.array(barSchema).nullish(),
  symbol: z.string().optional(),
  next_page_token: z.string().nullish(),
});

/** `/v1beta3/crypto/us/bars?symbols=…`: bars keyed by pair. */
export const cryptoBarsSchema = z.object({
  bars: z.record(z.string(), z.array(barSchema)).nullish(),
  next_page_token: z.string().nullish(),
});

/** Error bodies of the market data API carry only a message. */
export const errorBodySchema = z.object({ message: z.string() });
