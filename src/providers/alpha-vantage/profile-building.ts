import { timeZoneOf } from '../../market/exchange-zones.js';
import { currencyOf } from '../../market/listing-currency.js';
import type { Profile, SymbolMatch } from '../../market/profile.js';
import type { Instrument } from '../../market/symbol.js';
import { SOURCE_ID } from './quote-building.js';
import type { ExchangeRate, OverviewFields, SearchMatch } from './schemas.js';
import { fromAlphaVantage } from './symbol-mapping.js';

/** ISO 10383 market identifier codes of the exchange names OVERVIEW uses. */
const EXCHANGE_MICS: Readonly<Record<string, string>> = {
  NYSE: 'XNYS',
  NASDAQ: 'XNAS',
  'NYSE ARCA': 'ARCX',
  'NYSE MKT': 'XASE',
  'NYSE AMERICAN': 'XASE',
  AMEX: 'XASE',
};

/** Country names OVERVIEW uses, by their ISO 3166 code. */
const COUNTRY_CODES: Readonly<Record<string, string>> = {
  USA: 'US',
};

const PLACEHOLDERS: ReadonlySet<string> = new Set(['', 'None', '-', 'null']);

/** Returns a text field, or null for Alpha Vantage's placeholders. */
function text(value: string | undefined): string | null {
  const trimmed = value?.trim() ?? '';

  return PLACEHOLDERS.has(trimmed) ? null : trimmed;
}

/** Builds a listing's profile from OVERVIEW. */
export function listingProfile(
  fields: OverviewFields,
  instrument: Instrument,
  now: number,
): Profile {
  const exchange = text(fields.Exchange);
  const country = text(fields.Country);

  return {
    symbol: instrument.symbol,
    assetClass: instrument.assetClass,
    name: text(fields.Name),
    exchange: exchange && (EXCHANGE_MICS[exchange.toUpperCase()] ?? exchange),
    currency: text(fields.Currency)?.toUpperCase() ?? currencyOf(instrument),
    country: country && (COUNTRY_CODES[country] ?? country),
    sector: text(fields.Sector),
    industry: text(fields.Industry),
    description: text(fields.Description),
    website: text(fields.OfficialSite),
    base: null,
    quote: null,
    timeZone: timeZoneOf(instrument),
    coverage: null,
    source: SOURCE_ID,
    asOf: now,
    stale: false,
  };
}

/** Builds a crypto or forex pair's profile from the currency names of CURRENCY_EXCHANGE_RATE. */
export function pairProfile(
  rate: ExchangeRate,
  instrument: Instrument,
  now: number,
): Profile {
  const baseName = text(rate['2. From_Currency Name']);
  const quoteName = text(rate['4. To_Currency Name']);

  return {
    symbol: instrument.symbol,
    assetClass: instrument.assetClass,
    name: baseName && quoteName ? `${baseName} / ${quoteName}` : null,
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
    coverage: null,
    source: SOURCE_ID,
    asOf: now,
    stale: false,
  };
}

/**
 * Turns one SYMBOL_SEARCH match into a canonical one, or returns null for a
 * listing whose exchange suffix this API cannot place.
 */
export function searchMatch(match: SearchMatch): SymbolMatch | null {
  const instrument = fromAlphaVantage(match['1. symbol']);
  if (!instrument) return null;

  return {
    symbol: instrument.symbol,
    name: text(match['2. name']),
    assetClass: instrument.assetClass,
    exchange: null,
    currency:
      text(match['8. currency'])?.toUpperCase() ?? currencyOf(instrument),
    source: SOURCE_ID,
  };
}
