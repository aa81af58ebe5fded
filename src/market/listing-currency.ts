import type { Instrument } from './symbol.js';

/**
 * Trading currency by Yahoo Finance ticker suffix, for the exchanges that
 * `timeZoneOf` maps. Yahoo quotes London in pence (GBp), but this table
 * names the currency, GBP.
 */
const SUFFIX_CURRENCIES: Readonly<Record<string, string>> = {
  T: 'JPY',
  L: 'GBP',
  DE: 'EUR',
  F: 'EUR',
  PA: 'EUR',
  AS: 'EUR',
  MI: 'EUR',
  SW: 'CHF',
  TO: 'CAD',
  V: 'CAD',
  AX: 'AUD',
  HK: 'HKD',
  SS: 'CNY',
  SZ: 'CNY',
  KS: 'KRW',
  NS: 'INR',
  BO: 'INR',
};

/**
 * Returns the currency prices are quoted in: the quote currency of a pair,
 * the exchange's currency for a known ticker suffix (JPY for `4063.T`), and
 * USD otherwise, which covers US listings and indices without a suffix.
 */
export function currencyOf(instrument: Instrument): string {
  if (instrument.quote) return instrument.quote;
  const dot = instrument.symbol.lastIndexOf('.');
  const suffix = dot > 0 ? instrument.symbol.slice(dot + 1) : '';

  return SUFFIX_CURRENCIES[suffix] ?? 'USD';
}
