import { z } from 'zod';
import { timeZoneOf } from '../../market/exchange-zones.js';
import { currencyOf } from '../../market/listing-currency.js';
import type { Profile } from '../../market/profile.js';
import type { Instrument } from '../../market/symbol.js';
import type { UpstreamRequest } from '../upstream/upstream-http.client.js';
import type { Fail } from './finnhub-payload.js';

const text = z.string().nullish();

/**
 * The `/stock/profile2` fields a profile uses. Finnhub also sends `logo`,
 * `ipo`, `marketCapitalization` (in millions), `shareOutstanding` and
 * `phone`, which the shared profile has no place for.
 */
export const profilePayload = z.object({
  ticker: text,
  name: text,
  exchange: text,
  currency: text,
  country: text,
  finnhubIndustry: text,
  weburl: text,
});

export type ProfilePayload = z.infer<typeof profilePayload>;

/** Market identifier codes (ISO 10383) of Finnhub's exchange names seen in profiles. */
const EXCHANGE_MICS: readonly (readonly [RegExp, string])[] = [
  [/^NASDAQ\b/, 'XNAS'],
  [/^NEW YORK STOCK EXCHANGE\b/, 'XNYS'],
];

export function profileRequest(
  finnhubSymbol: string,
  symbol: string,
): UpstreamRequest {
  return { path: '/stock/profile2', query: { symbol: finnhubSymbol }, symbol };
}

/**
 * Builds the profile from a `/stock/profile2` body. For a symbol without
 * a company profile, Finnhub returns `{}`, which is SYMBOL_NOT_FOUND. Its `finnhubIndustry` (`Technology`) is the industry;
 * it sends no sector or description.
 */
export function buildProfile(
  payload: ProfilePayload,
  instrument: Instrument,
  now: number,
  fail: Fail,
): Profile {
  const name = filled(payload.name);
  if (name === null && filled(payload.ticker) === null) {
    throw fail(
      'SYMBOL_NOT_FOUND',
      `Finnhub has no company profile for ${instrument.symbol}.`,
    );
  }

  return {
    symbol: instrument.symbol,
    assetClass: instrument.assetClass,
    name,
    exchange: exchangeMic(payload.exchange),
    currency: listingCurrency(payload.currency, instrument),
    country: filled(payload.country),
    sector: null,
    industry: filled(payload.finnhubIndustry),
    description: null,
    website: filled(payload.weburl),
    base: instrument.base ?? null,
    quote: instrument.quote ?? null,
    timeZone: timeZoneOf(instrument),
    coverage: null,
    source: 'finnhub',
    asOf: now,
    stale: false,
  };
}

/** Returns the MIC of a Finnhub exchange name, or null when none is known here. */
function exchangeMic(name: string | null | undefined): string | null {
  const upper = name?.toUpperCase() ?? '';
  const found = EXCHANGE_MICS.find(([pattern]) => pattern.test(upper));

  return found ? found[1] : null;
}

function listingCurrency(
  code: string | null | undefined,
  instrument: Instrument,
): string {
  return code && /^[A-Z]{3}$/.test(code) ? code : currencyOf(instrument);
}

function filled(value: string | null | undefined): string | null {
  const trimmed = value?.trim() ?? '';

  return trimmed.length > 0 ? trimmed : null;
}
