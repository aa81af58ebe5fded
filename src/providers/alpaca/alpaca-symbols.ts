import { isCryptoCode, isCurrencyCode } from '../../market/currencies.js';
import { isUsListed } from '../../market/exchange-zones.js';
import type { Instrument } from '../../market/symbol.js';

/** An instrument in Alpaca's notation, with the API that serves it. */
export interface AlpacaSymbol {
  market: 'stocks' | 'crypto';
  symbol: string;
}

/**
 * Returns the Alpaca symbol of an instrument: US equities as they are
 * (`BRK.B`, which Alpaca also writes with a dot) and crypto pairs with a
 * slash (`BTC-USD` is `BTC/USD`). Returns null for what Alpaca's market data
 * API does not serve: indices, currency pairs and equities listed outside
 * the US (`4063.T`).
 */
export function toAlpacaSymbol(instrument: Instrument): AlpacaSymbol | null {
  switch (instrument.assetClass) {
    case 'equity':
      return isUsListed(instrument)
        ? { market: 'stocks', symbol: instrument.symbol }
        : null;
    case 'crypto':
      return instrument.base && instrument.quote
        ? { market: 'crypto', symbol: `${instrument.base}/${instrument.quote}` }
        : null;
    case 'index':
    case 'forex':
      return null;
  }
}

/**
 * Reads an Alpaca symbol back into canonical form: `BTC/USD` is the crypto
 * pair `BTC-USD` and `BRK.B` the equity `BRK.B`. Returns null for text with
 * no canonical form here, such as a pair of two fiat currencies.
 */
export function fromAlpacaSymbol(text: string): Instrument | null {
  const pair = /^([A-Z]+)\/([A-Z]+)$/.exec(text);
  if (pair?.[1] && pair[2]) {
    const [, base, quote] = pair;
    const known = isCurrencyCode(base) && isCurrencyCode(quote);
    if (!known || !(isCryptoCode(base) || isCryptoCode(quote))) return null;

    return { symbol: `${base}-${quote}`, assetClass: 'crypto', base, quote };
  }

  return /^[A-Z0-9][A-Z0-9.]*$/.test(text)
    ? { symbol: text, assetClass: 'equity' }
    : null;
}
