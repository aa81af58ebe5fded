import type { SymbolMatch } from '../../market/profile.js';
import type { SimulatedInstrument } from './universe.js';

const PUNCTUATION = /[\^.\-/=\s]/g;

function compact(text: string): string {
  return text.toUpperCase().replace(PUNCTUATION, '');
}

/**
 * Finds instruments whose symbol starts with the query, then those whose
 * name contains it, ignoring case. Symbols also match without their
 * punctuation, so `gspc` finds ^GSPC and `eurusd` finds EUR-USD.
 */
export function searchUniverse(
  entries: Iterable<SimulatedInstrument>,
  query: string,
  limit: number,
  source: string,
): SymbolMatch[] {
  const text = query.trim().toUpperCase();
  const key = compact(text);
  if (text.length === 0 || limit <= 0) return [];

  const bySymbol: SimulatedInstrument[] = [];
  const byName: SimulatedInstrument[] = [];
  for (const entry of entries) {
    const symbol = entry.instrument.symbol;
    if (symbol.startsWith(text) || (key && compact(symbol).startsWith(key))) {
      bySymbol.push(entry);
    } else if (entry.name?.toUpperCase().includes(text)) {
      byName.push(entry);
    }
  }
  bySymbol.sort((a, b) =>
    a.instrument.symbol.localeCompare(b.instrument.symbol),
  );

  return [...bySymbol, ...byName].slice(0, limit).map((entry) => ({
    symbol: entry.instrument.symbol,
    name: entry.name,
    assetClass: entry.instrument.assetClass,
    exchange: entry.exchange,
    currency: entry.currency,
    source,
  }));
}
