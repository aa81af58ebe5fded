import { parseSymbol, type Instrument } from '../../market/symbol.js';

/** An instrument as Alpha Vantage requests name it. */
export type AlphaVantageSymbol =
  | { kind: 'listing'; symbol: string }
  | {
      kind: 'pair';
      assetClass: 'crypto' | 'forex';
      from: string;
      to: string;
    };

/**
 * Families of Alpha Vantage functions that spell share classes differently:
 * `prices` for GLOBAL_QUOTE and the TIME_SERIES_* functions, `fundamentals`
 * for OVERVIEW.
 */
export type SymbolStyle = 'prices' | 'fundamentals';

/**
 * Exchange suffixes: the canonical (Yahoo Finance) suffix on the left, the
 * suffix Alpha Vantage uses on the right (`TSCO.L` is `TSCO.LON`).
 */
const EXCHANGE_SUFFIXES: Readonly<Record<string, string>> = {
  L: 'LON',
  TO: 'TRT',
  V: 'TRV',
  DE: 'DEX',
  BO: 'BSE',
  SS: 'SHH',
  SZ: 'SHZ',
  HK: 'HKG',
};

const CANONICAL_SUFFIXES: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(EXCHANGE_SUFFIXES).map(([canonical, alphaVantage]) => [
    alphaVantage,
    canonical,
  ]),
);

/**
 * Canonical suffixes of exchanges that have a time zone in this API but no
 * Alpha Vantage suffix known here, so such listings are not requested.
 */
const UNSERVED_SUFFIXES: ReadonlySet<string> = new Set([
  'T',
  'F',
  'PA',
  'AS',
  'MI',
  'SW',
  'AX',
  'KS',
  'NS',
]);

const SHARE_CLASS = /^[A-Z]{1,2}$/;

/**
 * Maps a canonical instrument to Alpha Vantage's notation, or returns null
 * when Alpha Vantage does not serve it: indices, and listings on exchanges
 * without a known Alpha Vantage suffix.
 *
 * NOTE: the share-class separator per style (hyphen for prices, dot for
 * OVERVIEW) is not confirmed by a recorded response.
 */
export function toAlphaVantage(
  instrument: Instrument,
  style: SymbolStyle,
): AlphaVantageSymbol | null {
  switch (instrument.assetClass) {
    case 'index':
      return null;
    case 'crypto':
    case 'forex':
      return pairOf(instrument);
    case 'equity':
      return listingOf(instrument.symbol, style);
  }
}

function pairOf(instrument: Instrument): AlphaVantageSymbol | null {
  const { base, quote } = instrument;
  if (!base || !quote) return null;
  const assetClass = instrument.assetClass === 'crypto' ? 'crypto' : 'forex';

  return { kind: 'pair', assetClass, from: base, to: quote };
}

function listingOf(
  symbol: string,
  style: SymbolStyle,
): AlphaVantageSymbol | null {
  const dot = symbol.lastIndexOf('.');
  if (dot <= 0) return { kind: 'listing', symbol };
  const root = symbol.slice(0, dot);
  const suffix = symbol.slice(dot + 1);
  const exchange = EXCHANGE_SUFFIXES[suffix];
  if (exchange) return { kind: 'listing', symbol: `${root}.${exchange}` };
  if (UNSERVED_SUFFIXES.has(suffix)) return null;
  if (SHARE_CLASS.test(suffix) && style === 'prices') {
    return { kind: 'listing', symbol: `${root}-${suffix}` };
  }

  return { kind: 'listing', symbol };
}

/**
 * Maps a symbol as Alpha Vantage writes it (`BRK-B`, `TSCO.LON`,
 * `6190.HKG`) to the canonical instrument, or returns null for a suffix
 * this API cannot place on an exchange.
 */
export function fromAlphaVantage(text: string): Instrument | null {
  const upper = text.trim().toUpperCase();
  const dot = upper.lastIndexOf('.');
  const suffix = dot > 0 ? upper.slice(dot + 1) : '';
  const canonicalSuffix = CANONICAL_SUFFIXES[suffix];
  let candidate = upper;
  if (canonicalSuffix) {
    candidate = `${upper.slice(0, dot)}.${canonicalSuffix}`;
  } else if (suffix.length > 2) {
    return null;
  }
  try {
    return parseSymbol(candidate, { context: 'equity' });
  } catch {
    return null;
  }
}
