import type { Coverage } from '../../market/bar.js';
import { timeZoneOf } from '../../market/exchange-zones.js';
import type { Profile, SymbolMatch } from '../../market/profile.js';
import { currencyOf } from '../../market/listing-currency.js';
import {
  coverageOf,
  type CatalogEntry,
  type ReplayCatalog,
} from './replay-catalog.js';

/**
 * Builds the profile that files can support: symbol, asset class, currency,
 * pair currencies, time zone and the dates covered. Name, exchange, sector
 * and the like are null because price files do not carry them.
 */
export function buildProfile(entry: CatalogEntry, asOf: number): Profile {
  const { instrument } = entry;

  return {
    symbol: instrument.symbol,
    assetClass: instrument.assetClass,
    name: null,
    exchange: null,
    currency: currencyOf(instrument),
    country: null,
    sector: null,
    industry: null,
    description: null,
    website: null,
    base: instrument.base ?? null,
    quote: instrument.quote ?? null,
    timeZone: timeZoneOf(instrument),
    coverage: overallCoverage(entry),
    source: 'replay',
    asOf,
    stale: false,
  };
}

/** Returns the earliest and latest dates over all stored intervals. */
function overallCoverage(entry: CatalogEntry): Coverage | null {
  const ranges = entry.series.map(coverageOf);
  if (ranges.length === 0) return null;

  return {
    from: ranges.map((range) => range.from).sort()[0] ?? '',
    to:
      ranges
        .map((range) => range.to)
        .sort()
        .at(-1) ?? '',
  };
}

/**
 * Finds symbols whose canonical form starts with or contains the query,
 * ignoring case and separators (`brk-a` finds BRK.A, `btcusd` finds
 * BTC-USD). Prefix matches come first, each group in alphabetical order. A
 * blank query matches nothing.
 */
export function searchSymbols(
  catalog: ReplayCatalog,
  query: string,
  limit: number,
): SymbolMatch[] {
  const needle = compact(query);
  if (needle === '') return [];
  const prefixed: string[] = [];
  const containing: string[] = [];
  for (const symbol of catalog.symbols()) {
    const text = compact(symbol);
    if (text.startsWith(needle)) prefixed.push(symbol);
    else if (text.includes(needle)) containing.push(symbol);
  }

  return [...prefixed, ...containing]
    .slice(0, Math.max(0, limit))
    .flatMap((symbol) => {
      const entry = catalog.find(symbol);
      return entry ? [matchOf(entry)] : [];
    });
}

function matchOf(entry: CatalogEntry): SymbolMatch {
  return {
    symbol: entry.instrument.symbol,
    name: null,
    assetClass: entry.instrument.assetClass,
    exchange: null,
    currency: currencyOf(entry.instrument),
    source: 'replay',
  };
}

/** Upper-cases and drops everything but letters and digits. */
function compact(text: string): string {
  return text.toUpperCase().replace(/[^A-Z0-9]/g, '');
}
