import { z } from 'zod';
import { timeZoneOf } from '../../market/exchange-zones.js';
import { currencyOf } from '../../market/listing-currency.js';
import type { Profile } from '../../market/profile.js';
import type { Instrument } from '../../market/symbol.js';
import type {
  UpstreamRequest,
  UpstreamResponse,
} from '../upstream/upstream-http.client.js';
import {
  quoted,
  readJson,
  rejectUnexpectedStatus,
  validate,
  yahooErrorOf,
  type Fail,
} from './yahoo-payload.js';
import type { YahooCredentials } from './yahoo-session.js';
import { exchangeMic, priceUnit } from './yahoo-units.js';

const text = z.string().nullish();

const summaryResult = z.object({
  assetProfile: z
    .object({
      country: text,
      website: text,
      industry: text,
      sector: text,
      longBusinessSummary: text,
    })
    .optional(),
  price: z
    .object({
      longName: text,
      shortName: text,
      exchange: text,
      currency: text,
    })
    .optional(),
});

const summaryPayload = z.object({
  quoteSummary: z.object({ result: z.array(summaryResult).nullable() }),
});

export type SummaryResult = z.infer<typeof summaryResult>;

/** Yahoo's description of a 404 for a listed symbol that lacks the modules. */
const NO_MODULE_DATA = /no fundamentals data/i;

/** Builds the quoteSummary call for a profile, with the cookie and crumb. */
export function profileRequest(
  ticker: string,
  symbol: string,
  credentials: YahooCredentials,
): UpstreamRequest {
  return {
    path: `/v10/finance/quoteSummary/${encodeURIComponent(ticker)}`,
    query: { modules: 'assetProfile,price', crumb: credentials.crumb },
    headers: { cookie: credentials.cookie },
    symbol,
  };
}

/**
 * Returns the modules of a quoteSummary response. Yahoo sends 404 `Not
 * Found` for an unknown symbol, which is SYMBOL_NOT_FOUND. It sends the
 * same code with "No fundamentals data found" for a listed symbol without
 * the modules (a currency pair has no asset profile), which is
 * DATA_NOT_AVAILABLE.
 */
export function parseProfile(
  response: UpstreamResponse,
  ticker: string,
  fail: Fail,
): SummaryResult {
  const json = readJson(response, fail);
  const error = yahooErrorOf(json);
  if (error) {
    const detail = `Yahoo has no profile of ${ticker}: ${error.code}${error.description ? `, ${quoted(error.description)}` : ''}.`;
    const known = NO_MODULE_DATA.test(error.description);
    throw fail(
      error.code === 'Not Found' && !known
        ? 'SYMBOL_NOT_FOUND'
        : 'DATA_NOT_AVAILABLE',
      detail,
    );
  }
  rejectUnexpectedStatus(response, fail);
  const payload = validate(summaryPayload, json, 'quoteSummary', fail);
  const result = payload.quoteSummary.result?.[0];
  if (!result || (!result.assetProfile && !result.price)) {
    throw fail('DATA_NOT_AVAILABLE', `Yahoo sent no profile of ${ticker}.`);
  }

  return result;
}

/** Builds the profile from the `price` (name, exchange) and `assetProfile` modules. */
export function buildProfile(
  summary: SummaryResult,
  instrument: Instrument,
  now: number,
): Profile {
  const company = summary.assetProfile;
  const listing = summary.price;

  return {
    symbol: instrument.symbol,
    assetClass: instrument.assetClass,
    name: listing?.longName ?? listing?.shortName ?? null,
    exchange: exchangeMic(listing?.exchange),
    currency: priceUnit(listing?.currency, currencyOf(instrument)).currency,
    country: company?.country ?? null,
    sector: company?.sector ?? null,
    industry: company?.industry ?? null,
    description: company?.longBusinessSummary ?? null,
    website: company?.website ?? null,
    base: instrument.base ?? null,
    quote: instrument.quote ?? null,
    timeZone: timeZoneOf(instrument),
    coverage: null,
    source: 'yahoo',
    asOf: now,
    stale: false,
  };
}
