import { z } from 'zod';
import { ASSET_CLASSES } from '../../market/asset-class.js';
import { INTERVALS } from '../../market/interval.js';

/**
 * Response shapes, for the OpenAPI document only: the API does not validate
 * its own output against them. Instants are ISO 8601 strings in UTC.
 */

const instant = z
  .string()
  .meta({ format: 'date-time', example: '2024-03-15T20:00:00.000Z' });
const price = z.number().nullable();

export const quoteResponse = z
  .object({
    symbol: z.string().meta({ example: 'AAPL' }),
    assetClass: z.enum(ASSET_CLASSES),
    currency: z.string().meta({ example: 'USD' }),
    exchange: z.string().nullable().meta({ example: 'XNAS' }),
    price: z.number().meta({ example: 189.84 }),
    change: price.meta({ example: 1.21 }),
    changePercent: price.meta({ example: 0.6415 }),
    previousClose: price.meta({ example: 188.63 }),
    open: price,
    high: price,
    low: price,
    volume: price.meta({ example: 53210000 }),
    bid: price,
    ask: price,
    session: z.enum(['pre-market', 'regular', 'after-hours', 'closed']),
    asOf: instant,
    source: z.string().meta({ example: 'simulated' }),
    stale: z.boolean().meta({
      description:
        'True when the value is older than promised because every source failed.',
    }),
    delayed: z.number().meta({
      description: 'Minutes the source delivers late by design.',
      example: 0,
    }),
  })
  .meta({ id: 'Quote' });

export const batchQuotesResponse = z
  .object({
    quotes: z.array(quoteResponse),
    errors: z.array(
      z.object({
        symbol: z.string().meta({ example: 'NOPE' }),
        code: z.string().meta({ example: 'SYMBOL_NOT_FOUND' }),
        detail: z.string(),
      }),
    ),
  })
  .meta({ id: 'BatchQuotes' });

const coverage = z
  .object({
    from: z.string().meta({ example: '2014-03-03' }),
    to: z.string().meta({ example: '2014-08-29' }),
  })
  .meta({
    id: 'Coverage',
    description: 'First and last date of the data the source contains.',
  });

export const barResponse = z
  .object({
    date: z.string().optional().meta({
      description: 'Trading day, for daily and longer bars.',
      example: '2024-03-15',
    }),
    time: instant
      .optional()
      .meta({ description: 'Bar start, for intraday bars.' }),
    open: z.number(),
    high: z.number(),
    low: z.number(),
    close: z.number(),
    volume: z.number().nullable(),
    adjClose: z.number().optional().meta({
      description:
        'Close adjusted for splits and dividends, where the source has one.',
    }),
    complete: z.boolean().meta({
      description:
        'False while the bar is still forming or the data ends inside it.',
    }),
  })
  .meta({ id: 'Bar' });

export const historyResponse = z
  .object({
    symbol: z.string().meta({ example: 'AAPL' }),
    interval: z.enum(INTERVALS),
    timeZone: z.string().meta({
      description: 'Zone in which daily bars are dated.',
      example: 'America/New_York',
    }),
    adjustment: z
      .enum(['raw', 'split', 'split+dividend'])
      .meta({ description: 'What the bars hold.' }),
    source: z.string().meta({ example: 'replay' }),
    asOf: instant,
    stale: z.boolean(),
    bars: z.array(barResponse),
    events: z.array(
      z.object({
        date: z.string().meta({ example: '2014-06-09' }),
        type: z.enum(['split', 'dividend']),
        ratio: z.number().optional().meta({ example: 7 }),
        amount: z.number().optional().meta({ example: 0.47 }),
      }),
    ),
    coverage: coverage.optional(),
    next: z
      .string()
      .nullable()
      .meta({ description: 'Cursor for the rest of the range, or null.' }),
  })
  .meta({ id: 'History' });

export const profileResponse = z
  .object({
    symbol: z.string().meta({ example: 'AAPL' }),
    assetClass: z.enum(ASSET_CLASSES),
    name: z.string().nullable().meta({ example: 'Apple Inc.' }),
    exchange: z.string().nullable().meta({ example: 'XNAS' }),
    currency: z.string().meta({ example: 'USD' }),
    country: z.string().nullable(),
    sector: z.string().nullable(),
    industry: z.string().nullable(),
    description: z.string().nullable(),
    website: z.string().nullable(),
    base: z.string().nullable(),
    quote: z.string().nullable(),
    timeZone: z.string().meta({ example: 'America/New_York' }),
    coverage: coverage.nullable(),
    source: z.string(),
    asOf: instant,
    stale: z.boolean(),
  })
  .meta({ id: 'Profile' });

export const summaryResponse = z
  .object({
    symbol: z.string().meta({ example: 'AAPL' }),
    quote: quoteResponse,
    profile: z
      .object({
        name: z.string().nullable(),
        exchange: z.string().nullable(),
        sector: z.string().nullable(),
        industry: z.string().nullable(),
        country: z.string().nullable(),
        source: z.string(),
        asOf: instant,
        stale: z.boolean(),
      })
      .nullable()
      .meta({
        description: 'Null when no source has a profile for the symbol.',
      }),
  })
  .meta({ id: 'Summary' });

export const infoResponse = z
  .object({
    symbol: z.string().meta({ example: 'AAPL' }),
    assetClass: z.enum(ASSET_CLASSES),
    name: z.string().nullable(),
    exchange: z.string().nullable(),
    currency: z.string(),
    base: z.string().nullable(),
    quote: z.string().nullable(),
    timeZone: z.string(),
    session: z
      .enum(['pre-market', 'regular', 'after-hours', 'closed'])
      .meta({ description: 'Session of its market now.' }),
    tradingHours: z.string().meta({
      example:
        '09:30-16:00 America/New_York, Monday to Friday except exchange holidays',
    }),
    coverage: coverage.nullable(),
    sources: z.record(z.string(), z.array(z.string())).meta({
      description:
        'Configured sources per capability, in the order they are tried.',
    }),
    source: z
      .string()
      .meta({ description: 'Source of the name, exchange and coverage.' }),
  })
  .meta({ id: 'Info' });

export const symbolsResponse = z
  .object({
    query: z.string(),
    results: z.array(
      z.object({
        symbol: z.string().meta({ example: 'AAPL' }),
        name: z.string().nullable().meta({ example: 'Apple Inc.' }),
        assetClass: z.enum(ASSET_CLASSES),
        exchange: z.string().nullable(),
        currency: z.string(),
        source: z.string(),
      }),
    ),
    errors: z
      .array(
        z.object({ source: z.string(), code: z.string(), detail: z.string() }),
      )
      .meta({
        description:
          'Sources that failed before one answered; they did not change the results.',
      }),
  })
  .meta({ id: 'SymbolSearch' });

export const providersResponse = z
  .object({
    providers: z.array(
      z.object({
        id: z.string().meta({ example: 'replay' }),
        name: z.string(),
        kind: z.enum(['embedded', 'upstream']),
        capabilities: z.array(z.string()),
        state: z.enum(['up', 'degraded', 'down']),
        detail: z.string(),
        info: z.record(z.string(), z.unknown()).optional(),
      }),
    ),
    order: z
      .record(z.string(), z.array(z.string()))
      .meta({ description: 'Sources tried per capability, in order.' }),
  })
  .meta({ id: 'Providers' });

const exchangeStatus = z.object({
  exchange: z.string().meta({ example: 'NYSE' }),
  mic: z.string().nullable().meta({ example: 'XNYS' }),
  timeZone: z.string(),
  isOpen: z.boolean(),
  session: z.enum(['pre-market', 'regular', 'after-hours', 'closed']),
  localTime: z.string().meta({ example: '2024-11-29T12:15:00.000-05:00' }),
  holiday: z.string().nullable().meta({ example: 'Thanksgiving Day' }),
  earlyClose: z.boolean(),
  nextOpen: instant.nullable(),
  nextClose: instant.nullable(),
});

export const marketStatusResponse = z
  .object({ asOf: instant, markets: z.array(exchangeStatus) })
  .meta({ id: 'MarketStatus' });

export const problemResponse = z
  .object({
    type: z.string().meta({ example: '/problems/invalid-parameter' }),
    title: z.string().meta({ example: 'Invalid parameter' }),
    status: z.number().meta({ example: 400 }),
    code: z.string().meta({ example: 'INVALID_PARAMETER' }),
    detail: z.string().meta({
      example: 'interval: must be one of 1m, 5m, 15m, 30m, 1h, 1d, 1wk, 1mo',
    }),
    instance: z.string().meta({
      description: 'Request id, also sent as X-Request-Id.',
      example: 'b1946ac9-2f1f-4c5e-9a4e-8f3d0c2a1e77',
    }),
    parameter: z
      .string()
      .optional()
      .meta({ description: 'The offending parameter, for INVALID_PARAMETER.' }),
  })
  .loose()
  .meta({ id: 'Problem' });
