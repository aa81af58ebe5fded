import { isUsListed } from '../../market/exchange-zones.js';
import { splitConcatenatedPair } from '../../market/currencies.js';
import type { AssetClass } from '../../market/asset-class.js';
import type { Instrument } from '../../market/symbol.js';

/** Canonical index symbols and the Polygon index tickers they map to. */
const INDEX_TICKERS: Readonly<Record<string, string>> = {
  '^GSPC': 'I:SPX',
  '^DJI': 'I:DJI',
  '^IXIC': 'I:COMP',
  '^NDX': 'I:NDX',
  '^RUT': 'I:RUT',
  '^VIX': 'I:VIX',
};

const INDEX_SYMBOLS: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(INDEX_TICKERS).map(([symbol, ticker]) => [ticker, symbol]),
);

/**
 * Returns the Polygon ticker of an instrument: US equities as they are
 * (`BRK.B`), indices from a fixed table (`^GSPC` is `I:SPX`), crypto pairs
 * with an `X:` prefix and currency pairs with `C:` (`BTC-USD` is
 * `X:BTCUSD`). Returns null for what Polygon does not list: indices outside
 * the table and equities of non-US exchanges (`4063.T`).
 */
export function toPolygonTicker(instrument: Instrument): string | null {
  switch (instrument.assetClass) {
    case 'equity':
      return isUsListed(instrument) ? instrument.symbol : null;
    case 'index':
      return INDEX_TICKERS[instrument.symbol] ?? null;
    case 'crypto':
      return `X:${instrument.base ?? ''}${instrument.quote ?? ''}`;
    case 'forex':
      return `C:${instrument.base ?? ''}${instrument.quote ?? ''}`;
  }
}

/**
 * Reads a Polygon ticker back into canonical form: `X:BTCUSD` is `BTC-USD`,
 * `C:EURUSD` is `EUR-USD`, `I:SPX` is `^GSPC`. Returns null for tickers
 * without a canonical form here, such as options (`O:`), indices outside the
 * table and pairs whose codes cannot be split.
 */
export function fromPolygonTicker(ticker: string): Instrument | null {
  const [prefix, rest] = ticker.includes(':')
    ? [
        ticker.slice(0, ticker.indexOf(':')),
        ticker.slice(ticker.indexOf(':') + 1),
      ]
    : ['', ticker];
  switch (prefix) {
    case '':
      return /^[A-Z0-9][A-Z0-9.]*$/.test(rest)
        ? { symbol: rest, assetClass: 'equity' }
        : null;
    case 'I': {
      const symbol = INDEX_SYMBOLS[ticker];
      return symbol ? { symbol, assetClass: 'index' } : null;
    }
    case 'X':
    case 'C': {
      const pair = splitConcatenatedPair(rest);
      if (!pair) return null;
      const [base, quote] = pair;
      const assetClass: AssetClass = prefix === 'X' ? 'crypto' : 'forex';
      return { symbol: `${base}-${quote}`, assetClass, base, quote };
    }
    default:
      return null;
  }
}
