import { z } from 'zod';

/**
 * A number field as Polygon may send it. Strings and nulls pass the schema,
 * so that a bad row is dropped and counted rather than failing the payload.
 * `finiteNumber` turns the value into a number or null.
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

/** An error body: `status` is `ERROR`, `NOT_AUTHORIZED` or `NOT_FOUND`. */
export const errorBodySchema = z.object({
  status: z.string().optional(),
  error: z.string().optional(),
  message: z.string().optional(),
});

/** One aggregate bar; `t` is the bar's start in epoch milliseconds. */
export const aggregateRowSchema = z.object({
  t: z.number(),
  o: looseNumber,
  h: looseNumber,
  l: looseNumber,
  c: looseNumber,
  v: looseNumber,
});

export type AggregateRow = z.infer<typeof aggregateRowSchema>;

/** `/v2/aggs/ticker/{ticker}/range/…` and `/v2/aggs/ticker/{ticker}/prev`. */
export const aggregatesSchema = z.object({
  status: z.string(),
  adjusted: z.boolean().optional(),
  resultsCount: z.number().optional(),
  // Polygon sends `"results": null` or leaves the field out when a range is empty.
  results: z.array(aggregateRowSchema).nullish(),
  next_url: z.string().optional(),
});

export type AggregatesBody = z.infer<typeof aggregatesSchema>;

const ohlcvSchema = z.object({
  o: looseNumber,
  h: looseNumber,
  l: looseNumber,
  c: looseNumber,
  v: looseNumber,
});

/** Timestamps of snapshots are nanoseconds for stocks and milliseconds elsewhere. */
const snapshotTickerSchema = z.object({
  ticker: z.string(),
  day: ohlcvSchema.nullish(),
  prevDay: ohlcvSchema.nullish(),
  min: ohlcvSchema.extend({ t: z.number().optional() }).nullish(),
  lastTrade: z.object({ p: looseNumber, t: z.number().optional() }).nullish(),
  // Stocks send bid `p` and ask `P`; currency pairs send bid `b` and ask `a`.
  lastQuote: z
    .object({
      p: looseNumber,
      P: looseNumber,
      b: looseNumber,
      a: looseNumber,
      t: z.number().optional(),
    })
    .nullish(),
  updated: z.number().optional(),
});

export type SnapshotTicker = z.infer<typeof snapshotTickerSchema>;

/** `/v2/snapshot/locale/{us|global}/markets/{market}/tickers/{ticker}`. */
export const tickerSnapshotSchema = z.object({
  status: z.string(),
  ticker: snapshotTickerSchema.nullish(),
});

const indexEntrySchema = z.object({
  ticker: z.string(),
  value: looseNumber,
  session: z
    .object({
      open: looseNumber,
      high: looseNumber,
      low: looseNumber,
      close: looseNumber,
      previous_close: looseNumber,
    })
    .nullish(),
  last_updated: z.number().optional(),
  // Set instead of the values when this one ticker failed, e.g. NOT_FOUND.
  error: z.string().optional(),
  message: z.string().optional(),
});

export type IndexEntry = z.infer<typeof indexEntrySchema>;

/** `/v3/snapshot/indices?ticker.any_of=…`; errors per ticker come inside a 200. */
export const indicesSnapshotSchema = z.object({
  status: z.string().optional(),
  results: z.array(indexEntrySchema).nullish(),
});

const tickerDetailsSchema = z.object({
  ticker: z.string(),
  name: z.string().nullish(),
  market: z.string().nullish(),
  locale: z.string().nullish(),
  primary_exchange: z.string().nullish(),
  currency_name: z.string().nullish(),
  description: z.string().nullish(),
  sic_description: z.string().nullish(),
  homepage_url: z.string().nullish(),
});

export type TickerDetails = z.infer<typeof tickerDetailsSchema>;

/** `/v3/reference/tickers/{ticker}`. */
export const tickerDetailsBodySchema = z.object({
  status: z.string(),
  results: tickerDetailsSchema.nullish(),
});

/** `/v3/reference/tickers?search=…`. */
export const tickerListSchema = z.object({
  status: z.string(),
  results: z.array(tickerDetailsSchema).nullish(),
});
