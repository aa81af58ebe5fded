import { z } from 'zod';
import { currencyOf } from '../../market/listing-currency.js';
import type { SymbolMatch } from '../../market/profile.js';
import type { UpstreamRequest } from '../upstream/upstream-http.client.js';
import { fromFinnhubSymbol } from './finnhub-symbols.js';

const searchRow = z.object({
  symbol: z.string(),
  description: z.string().nullish(),
  displaySymbol: z.string().nullish(),
  type: z.string().nullish(),
});

/** `/search` body: `count` and the rows, in Finnhub's order. */
export const searchPayload = z.object({
  count: z.number().int().nonnegative().optional(),
  result: z.array(searchRow).nullish(),
});

export type SearchPayload = z.infer<typeof searchPayload>;

/** Builds the `/search` call; Finnhub takes no limit, so rows are cut here. */
export function searchRequest(text: string): UpstreamRequest {
  return { path: '/search', query: { q: text }, symbol: text };
}

/**
 * Turns search rows into matches with canonical symbols, in Finnhub's
 * order. Rows this source cannot quote are left out: listings outside the
 * US (`2788.T`, `PNPL.L`) and symbols without a canonical form. The row
 * `type` (`Common Stock`) is not read, since every symbol kept is a US
 * listing and so an equity.
 */
export function buildMatches(
  payload: SearchPayload,
  limit: number,
): SymbolMatch[] {
  const matches: SymbolMatch[] = [];
  for (const row of payload.result ?? []) {
    const instrument = fromFinnhubSymbol(row.symbol);
    if (!instrument) continue;
    const name = row.description?.trim() ?? '';
    matches.push({
      symbol: instrument.symbol,
      name: name.length > 0 ? name : null,
      assetClass: instrument.assetClass,
      // Search rows do not name the exchange.
      exchange: null,
      currency: currencyOf(instrument),
      source: 'finnhub',
    });
  }

  return matches.slice(0, limit);
}
