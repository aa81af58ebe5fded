import { InvalidParameterError } from '../../common/api.errors.js';
import { parseSymbol, type Instrument } from '../../market/symbol.js';

const PRODUCT_ID = /^[A-Z0-9]+-[A-Z0-9]+$/;

/**
 * Returns the Coinbase Exchange product id of a crypto pair, which is the
 * canonical `BASE-QUOTE` form (`BTC-USD`, and `BTC-USDT` for `BTCUSDT`).
 * Returns null for every other asset class, which Coinbase does not list.
 */
export function toProductId(instrument: Instrument): string | null {
  if (instrument.assetClass !== 'crypto') return null;
  if (instrument.base && instrument.quote) {
    return `${instrument.base}-${instrument.quote}`;
  }

  return PRODUCT_ID.test(instrument.symbol) ? instrument.symbol : null;
}

/**
 * Reads a product id back into a canonical crypto pair, by the rules the
 * `/api/crypto` routes parse symbols with. Returns null for an id those
 * routes would reject or rewrite: a pair of two fiat currencies (`EUR-USD`
 * belongs under `/api/forex`), or a quote code that is no currency. Every
 * pair returned can therefore be requested as it is.
 */
export function fromProductId(productId: string): Instrument | null {
  const id = productId.toUpperCase();
  if (!PRODUCT_ID.test(id)) return null;
  try {
    const instrument = parseSymbol(id, { context: 'crypto' });

    return instrument.symbol === id ? instrument : null;
  } catch (error) {
    if (error instanceof InvalidParameterError) return null;
    throw error;
  }
}
