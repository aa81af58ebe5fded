import { z } from 'zod';
import type { AssetClass } from '../../market/asset-class.js';
import { currencyOf } from '../../market/listing-currency.js';
import type { SymbolMatch } from '../../market/profile.js';
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
import { fromYahooSymbol } from './yahoo-symbols.js';
import { exchangeMic } from './yahoo-units.js';

const searchQuote = z.object({
  symbol: z.string().optional(),
  quoteType: z.string().optional(),
  shortname: z.string().nullish(),
  longname: z.string().nullish(),
  exchange: z.string().nullish(),
});

const searchPayload = z.object({
  quotes: z.array(searchQuote).optional(),
});

export type SearchQuote = z.infer<typeof searchQuote>;

/**
 * Asset classes of Yahoo's `quoteType` values. Options, futures and the
 * rest have no route in this API and are left out.
 */
const ASSET_CLASSES: Readonly<Record<string, AssetClass>> = {
  EQUITY: 'equity',
  ETF: 'equity',
  MUTUALFUND: 'equity',
  INDEX: 'index',
  CRYPTOCURRENCY: 'crypto',
  CURRENCY: 'forex',
};

/** Builds the v1 search call, which asks for no news results. */
export function searchRequest(text: string, limit: number): UpstreamRequest {
  return {
    path: '/v1/finance/search',
    query: { q: text, quotesCount: limit, newsCount: 0 },
    symbol: text,
  };
}

export function parseSearch(
  response: UpstreamResponse,
  fail: Fail,
): SearchQuote[] {
  const json = readJson(response, fail);
  rejectUnexpectedStatus(response, fail);

  return validate(searchPayload, json, 'search response', fail).quotes ?? [];
}

/**
 * Turns search quotes into matches with canonical symbols, leaving out
 * rows without a symbol (Yahoo mixes in site links), of a type this API
 * does not serve, or whose ticker has no canonical form.
 */
export function buildMatches(
  quotes: readonly SearchQuote[],
  limit: number,
): SymbolMatch[] {
  const matches: SymbolMatch[] = [];
  for (const quote of quotes) {
    const assetClass = ASSET_CLASSES[quote.quoteType ?? ''];
    if (!quote.symbol || !assetClass) continue;
    const instrument = fromYahooSymbol(quote.symbol, assetClass);
    if (!instrument) continue;
    matches.push({
      symbol: instrument.symbol,
      name: quote.longname ?? quote.shortname ?? null,
      assetClass,
      exchange: exchangeMic(quote.exchange),
      currency: currencyOf(instrument),
      source: 'yahoo',
    });
  }

  return matches.slice(0, limit);
}
