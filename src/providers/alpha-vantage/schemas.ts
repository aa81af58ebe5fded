import { DateTime } from 'luxon';
import { z } from 'zod';
import { optionalDecimal, requiredDecimal } from './decimal.js';
import { canonicalZone } from './time-zones.js';

/** An empty object, which Alpha Vantage sends for a symbol it does not know. */
const unknownSymbol = z.strictObject({}).transform(() => null);

const globalQuoteFieldsSchema = z.object({
  '01. symbol': z.string(),
  '02. open': optionalDecimal,
  '03. high': optionalDecimal,
  '04. low': optionalDecimal,
  '05. price': requiredDecimal,
  '06. volume': optionalDecimal,
  '07. latest trading day': z.iso.date(),
  '08. previous close': optionalDecimal,
  '09. change': optionalDecimal,
  '10. change percent': optionalDecimal,
});

export type GlobalQuoteFields = z.output<typeof globalQuoteFieldsSchema>;

/** `GLOBAL_QUOTE`: every value is text; an unknown symbol gives `{}`. */
export const globalQuoteSchema = z.object({
  'Global Quote': z.union([unknownSymbol, globalQuoteFieldsSchema]),
});

/**
 * `CURRENCY_EXCHANGE_RATE`. Bid and ask appear only in newer responses,
 * so they are optional.
 */
export const exchangeRateSchema = z.object({
  'Realtime Currency Exchange Rate': z.object({
    '1. From_Currency Code': z.string(),
    '2. From_Currency Name': z.string().optional(),
    '3. To_Currency Code': z.string(),
    '4. To_Currency Name': z.string().optional(),
    '5. Exchange Rate': requiredDecimal,
    '6. Last Refreshed': z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})?$/, {
        error: 'must be a local time such as 2017-12-20 19:23:21',
      })
      .refine((text) => DateTime.fromSQL(text, { zone: 'utc' }).isValid, {
        error: 'must be a valid date and time',
      }),
    '7. Time Zone': z
      .string()
      .transform((name) => canonicalZone(name))
      .pipe(z.string({ error: 'must name a known time zone' })),
    '8. Bid Price': optionalDecimal,
    '9. Ask Price': optionalDecimal,
  }),
});

export type ExchangeRate = z.output<
  typeof exchangeRateSchema
>['Realtime Currency Exchange Rate'];

const overviewFieldsSchema = z.object({
  Symbol: z.string(),
  Name: z.string().optional(),
  Description: z.string().optional(),
  Exchange: z.string().optional(),
  Currency: z.string().optional(),
  Country: z.string().optional(),
  Sector: z.string().optional(),
  Industry: z.string().optional(),
  OfficialSite: z.string().optional(),
});

export type OverviewFields = z.output<typeof overviewFieldsSchema>;

/** `OVERVIEW`; an unknown symbol gives `{}`, and missing values are `"None"`. */
export const overviewSchema = z.union([unknownSymbol, overviewFieldsSchema]);

/** `SYMBOL_SEARCH`. */
export const symbolSearchSchema = z.object({
  bestMatches: z.array(
    z.object({
      '1. symbol': z.string(),
      '2. name': z.string().optional(),
      '3. type': z.string().optional(),
      '4. region': z.string().optional(),
      '8. currency': z.string().optional(),
    }),
  ),
});

export type SearchMatch = z.output<
  typeof symbolSearchSchema
>['bestMatches'][number];

const cellSchema = z.union([z.string(), z.number(), z.null()]);

/** One row of a time series: field name to value, e.g. `"1. open": "147.44"`. */
export type SeriesRow = Record<string, z.output<typeof cellSchema>>;

const rowsSchema = z.record(z.string(), z.record(z.string(), cellSchema));

/** A time series payload reduced to its meta data and its rows by key. */
export interface SeriesPayload {
  meta: Record<string, string | number>;
  /** Key of the series object, or null when the payload has none. */
  seriesKey: string | null;
  rows: Record<string, SeriesRow>;
}

/**
 * Every TIME_SERIES_*, FX_* and DIGITAL_CURRENCY_* payload: `Meta Data`
 * plus one object whose key contains `Time Series` (`Time Series (Daily)`,
 * `Weekly Time Series`, `Time Series FX (Daily)`, `Time Series (5min)`).
 * A payload of meta data alone reads as a series without rows.
 */
export const timeSeriesSchema = z
  .object({
    'Meta Data': z.record(z.string(), z.union([z.string(), z.number()])),
  })
  .catchall(z.unknown())
  .transform((body, context): SeriesPayload => {
    const seriesKey = Object.keys(body).find((key) =>
      key.includes('Time Series'),
    );
    // Meta data without a series object reads as a series with no rows.
    if (!seriesKey)
      return { meta: body['Meta Data'], seriesKey: null, rows: {} };
    const rows = rowsSchema.safeParse(body[seriesKey]);
    if (!rows.success) {
      context.addIssue({
        code: 'custom',
        message: 'rows must map timestamps to objects of text values',
        path: [seriesKey],
      });
      return z.NEVER;
    }

    return { meta: body['Meta Data'], seriesKey, rows: rows.data };
  });
