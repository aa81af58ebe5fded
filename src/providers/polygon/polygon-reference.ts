import { timeZoneOf } from '../../market/exchange-zones.js';
import { currencyOf } from '../../market/listing-currency.js';
import type { Profile, SymbolMatch } from '../../market/profile.js';
import type { Instrument } from '../../market/symbol.js';
import { fromPolygonTicker } from './polygon-symbols.js';
import type { TickerDetails } from './polygon-schemas.js';

/**
 * Builds a profile from ticker details. Polygon gives an industry (the SIC
 * description) but no sector, and a locale rather than a country; `us` is
 * read as the United States.
 */
export function profileFromDetails(
  instrument: Instrument,
  details: TickerDetails,
  now: number,
): Profile {
  return {
    symbol: instrument.symbol,
    assetClass: instrument.assetClass,
    name: details.name ?? null,
    exchange: details.primary_exchange ?? null,
    currency: currencyOf(instrument),
    country: details.locale === 'us' ? 'US' : null,
    sector: null,
    industry: details.sic_description ?? null,
    description: details.description ?? null,
    website: details.homepage_url ?? null,
    base: instrument.base ?? null,
    quote: instrument.quote ?? null,
    timeZone: timeZoneOf(instrument),
    coverage: null,
    source: 'polygon',
    asOf: now,
    stale: false,
  };
}

/**
 * Turns rows of the ticker list into search matches, in Polygon's order.
 * Rows without a canonical symbol here (options, unmapped indices) are
 * skipped.
 */
export function matchesFromTickers(
  rows: readonly TickerDetails[],
): SymbolMatch[] {
  const matches: SymbolMatch[] = [];
  for (const row of rows) {
    const canonical = fromPolygonTicker(row.ticker);
    if (!canonical) continue;
    matches.push({
      symbol: canonical.symbol,
      name: row.name ?? null,
      assetClass: canonical.assetClass,
      exchange: row.primary_exchange ?? null,
      currency: listingCurrency(canonical, row.currency_name),
      source: 'polygon',
    });
  }

  return matches;
}

/**
 * Returns the currency a match is quoted in: a pair's quote currency, else
 * the listing's `currency_name` (`usd`) when it is a currency code.
 */
function listingCurrency(
  instrument: Instrument,
  currencyName: string | null | undefined,
): string {
  const code = currencyName?.toUpperCase() ?? '';
  if (instrument.quote || !/^[A-Z]{3}$/.test(code))
    return currencyOf(instrument);

  return code;
}
