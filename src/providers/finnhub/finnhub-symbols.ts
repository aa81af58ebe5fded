import { InvalidParameterError } from '../../common/api.errors.js';
import { isUsListed } from '../../market/exchange-zones.js';
import { parseSymbol, type Instrument } from '../../market/symbol.js';

/**
 * Returns the symbol Finnhub's REST API takes for an instrument, or null
 * when this source does not serve it. Finnhub writes US share classes with
 * a dot, as the canonical form does (`BRK.B`), so US listings pass
 * unchanged. Everything else returns null:
 *
 * - indices (`^GSPC`), which the free plan does not cover;
 * - crypto and currency pairs, which Finnhub names with an exchange prefix
 *   (`BINANCE:BTCUSDT`, `OANDA:EUR_USD`) and whose `/quote` support its
 *   documentation does not state;
 * - listings outside the US (`4063.T`), which need a paid plan, and
 *   suffixes that are neither a known exchange nor a one-letter share class.
 */
export function toFinnhubSymbol(instrument: Instrument): string | null {
  switch (instrument.assetClass) {
    case 'index':
    case 'crypto':
    case 'forex':
      return null;
    case 'equity':
      // TODO: listings outside the US for paid plans, once the unit Finnhub
      // quotes each exchange in (pence or pounds in London) is confirmed.
      return isServedListing(instrument) ? instrument.symbol : null;
  }
}

/**
 * Reads a symbol from a Finnhub response into canonical form, or returns
 * null for one `toFinnhubSymbol` would not send: foreign listings
 * (`2788.T`, `PINEAPP.KL`), exchange-prefixed pairs (`BINANCE:BTCUSDT`)
 * and text the symbol parser rejects.
 */
export function fromFinnhubSymbol(text: string): Instrument | null {
  let instrument: Instrument;
  try {
    instrument = parseSymbol(text, { context: 'equity' });
  } catch (error) {
    if (error instanceof InvalidParameterError) return null;
    throw error;
  }

  return toFinnhubSymbol(instrument) === null ? null : instrument;
}

/** Tells whether an equity is a US listing, with at most a share class suffix. */
function isServedListing(instrument: Instrument): boolean {
  if (!isUsListed(instrument)) return false;
  const dot = instrument.symbol.lastIndexOf('.');

  return dot < 0 || instrument.symbol.length - dot - 1 === 1;
}
