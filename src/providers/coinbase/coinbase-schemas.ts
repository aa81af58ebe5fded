import { DateTime } from 'luxon';
import { z } from 'zod';

/** A plain decimal as Coinbase writes prices and sizes: `68512.44`, `0.00147`. */
const DECIMAL = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;

/** A decimal sent as a string (Coinbase's form) or as a JSON number. */
const decimal = z.union([
  z.number(),
  z.string().trim().regex(DECIMAL).transform(Number).pipe(z.number()),
]);

/** A decimal that may be missing, null or empty; all of those read as null. */
const optionalDecimal = z
  .union([decimal, z.literal(''), z.null()])
  .optional()
  .transform((value) => (typeof value === 'number' ? value : null));

/** An ISO 8601 instant such as `2024-03-15T14:29:59.823716Z`, as epoch ms in UTC. */
const instant = z.string().transform((text, context) => {
  const time = DateTime.fromISO(text, { zone: 'utc' });
  if (!time.isValid) {
    context.addIssue({ code: 'custom', message: `invalid time "${text}"` });
    return z.NEVER;
  }

  return time.toMillis();
});

/** `GET /products/{product_id}/ticker`: the last trade, best bid and ask, 24-hour volume. */
export const tickerSchema = z.object({
  price: decimal.pipe(z.number().positive()),
  size: optionalDecimal,
  bid: optionalDecimal,
  ask: optionalDecimal,
  volume: optionalDecimal,
  time: instant,
  trade_id: z.number().int().optional(),
});

export type Ticker = z.output<typeof tickerSchema>;

/**
 * `GET /products/{product_id}/stats`: figures of the last 24 hours. The
 * `volume` is in base currency units; open, high and low in the quote
 * currency.
 */
export const statsSchema = z.object({
  open: optionalDecimal,
  high: optionalDecimal,
  low: optionalDecimal,
  last: optionalDecimal,
  volume: optionalDecimal,
  volume_30day: optionalDecimal,
});

export type Stats = z.output<typeof statsSchema>;

/** One row of `GET /products` and the body of `GET /products/{product_id}`. */
export const productSchema = z.object({
  id: z.string().min(1),
  base_currency: z.string().min(1),
  quote_currency: z.string().min(1),
  display_name: z.string().nullish(),
  status: z.string().nullish(),
  status_message: z.string().nullish(),
  trading_disabled: z.boolean().nullish(),
  cancel_only: z.boolean().nullish(),
  limit_only: z.boolean().nullish(),
  post_only: z.boolean().nullish(),
});

export type Product = z.output<typeof productSchema>;

/**
 * `GET /products`. Rows are checked one by one by the catalog, so a single
 * product of an unexpected shape does not hide the others.
 */
export const productListSchema = z.array(z.unknown());

/**
 * `GET /products/{product_id}/candles`: rows of
 * `[time, low, high, open, close, volume]`, newest first. Rows are checked
 * one by one, so a bad row is dropped and counted rather than failing the
 * whole response.
 */
export const candlesSchema = z.array(z.array(z.unknown()));

/** The body of a Coinbase error response, e.g. `{"message":"NotFound"}`. */
export const errorBodySchema = z.object({ message: z.string() });
