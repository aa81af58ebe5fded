import { isUsListed } from '../../market/exchange-zones.js';
import { parseSymbol, type Instrument } from '../../market/symbol.js';

/** A US ticker: a root of letters and digits and at most one class suffix. */
const US_TICKER = /^([A-Z0-9]+)(?:[.-]([A-Z0-9]+))?$/;
const WIKI_TICKER = /^[A-Z0-9]+(?:[_-][A-Z0-9]+)?$/;

/**
 * Returns the tickers under which the WIKI prices table may hold a US
 * stock, the preferred spelling first, or null for anything WIKI does not
 * hold (indices, currency and crypto pairs, listings outside the US).
 *
 * WIKI writes a share class after an underscore: its dataset codes are
 * `WIKI/BRK_B`, and copies of the `WIKI/PRICES` table list `BRK_B`. The
 * hyphen (`BRK-B`) is asked for as well, because Nasdaq's documentation
 * does not say which separator the table uses.
 */
export function toWikiTickers(instrument: Instrument): string[] | null {
  if (instrument.assetClass !== 'equity' || !isUsListed(instrument)) {
    return null;
  }
  const match = US_TICKER.exec(instrument.symbol);
  if (!match?.[1]) return null;
  const [, root, suffix] = match;

  return suffix === undefined
    ? [root]
    : [`${root}_${suffix}`, `${root}-${suffix}`];
}

/**
 * Reads a WIKI ticker back into the canonical symbol: `BRK_B` and `BRK-B`
 * are `BRK.B`. Returns null for text that is not a WIKI ticker.
 */
export function fromWikiTicker(ticker: string): string | null {
  if (!WIKI_TICKER.test(ticker)) return null;
  try {
    return parseSymbol(ticker.replace('_', '-'), { context: 'equity' }).symbol;
  } catch {
    return null;
  }
}
