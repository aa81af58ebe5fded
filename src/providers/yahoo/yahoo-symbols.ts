import { ApiError } from '../../common/api.errors.js';
import type { AssetClass } from '../../market/asset-class.js';
import { isUsListed } from '../../market/exchange-zones.js';
import {
  parseSymbol,
  type Instrument,
  type SymbolContext,
} from '../../market/symbol.js';

const FOREX_SUFFIX = '=X';
/** Yahoo names a pair quoted in US dollars by its other currency alone: `JPY=X` is USD-JPY. */
const USD = 'USD';

/**
 * Returns the ticker Yahoo Finance uses for an instrument. A US share class
 * takes a dash (`BRK.B` is `BRK-B`), but an exchange suffix keeps its dot
 * (`4063.T`). Currency pairs are six letters and `=X` (`EURUSD=X`). Crypto
 * pairs (`BTC-USD`) and indices (`^GSPC`) keep their canonical form.
 */
export function toYahooSymbol(instrument: Instrument): string {
  switch (instrument.assetClass) {
    case 'forex':
      return forexTicker(instrument);
    case 'crypto':
    case 'index':
      return instrument.symbol;
    case 'equity':
      return equityTicker(instrument);
  }
}

function forexTicker(instrument: Instrument): string {
  const pair =
    instrument.base && instrument.quote
      ? instrument.base + instrument.quote
      : instrument.symbol.replace('-', '');

  return pair + FOREX_SUFFIX;
}

/**
 * Writes a share class with a dash: a one-letter suffix on a US listing.
 * Exchange suffixes (`.T`, `.L`, `.DE`) place the listing outside the US,
 * so they stay.
 */
function equityTicker(instrument: Instrument): string {
  const dot = instrument.symbol.lastIndexOf('.');
  const suffix = dot > 0 ? instrument.symbol.slice(dot + 1) : '';
  if (suffix.length !== 1 || !isUsListed(instrument)) return instrument.symbol;

  return `${instrument.symbol.slice(0, dot)}-${suffix}`;
}

const CONTEXTS: Readonly<Record<AssetClass, SymbolContext>> = {
  equity: 'equity',
  index: 'any',
  crypto: 'crypto',
  forex: 'forex',
};

/**
 * Reads a Yahoo ticker back into a canonical instrument of the given asset
 * class (`BRK-B` gives `BRK.B`, `EURUSD=X` gives `EUR-USD`, `JPY=X` gives
 * `USD-JPY`). Returns null for a ticker that has no canonical form in that
 * class, such as `BT-A.L` or a pair of unknown currency codes.
 */
export function fromYahooSymbol(
  ticker: string,
  assetClass: AssetClass,
): Instrument | null {
  const text =
    assetClass === 'forex' ? forexPairText(ticker) : ticker.toUpperCase();
  if (text === null) return null;
  try {
    const instrument = parseSymbol(text, { context: CONTEXTS[assetClass] });

    return instrument.assetClass === assetClass ? instrument : null;
  } catch (error) {
    if (error instanceof ApiError) return null;
    throw error;
  }
}

function forexPairText(ticker: string): string | null {
  const upper = ticker.toUpperCase();
  if (!upper.endsWith(FOREX_SUFFIX)) return null;
  const codes = upper.slice(0, -FOREX_SUFFIX.length);
  if (/^[A-Z]{3}$/.test(codes)) return `${USD}-${codes}`;
  if (/^[A-Z]{6}$/.test(codes)) return `${codes.slice(0, 3)}-${codes.slice(3)}`;

  return null;
}
