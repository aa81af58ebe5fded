import { currencyOf } from '../../market/listing-currency.js';
import type { Quote } from '../../market/quote.js';
import type { Instrument } from '../../market/symbol.js';
import type { Stats, Ticker } from './coinbase-schemas.js';

/** Significant digits of `change`: enough for any price, few enough to drop float artefacts. */
const CHANGE_DIGITS = 12;
const PERCENT_DECIMALS = 4;

/** A quote and the fields left out of it because they contradict each other. */
export interface BuiltQuote {
  quote: Quote;
  /** One entry per dropped pair, e.g. `bid and ask (bid 2 > ask 1)`. */
  dropped: string[];
}

/**
 * Builds a quote from the ticker (last trade, best bid and ask) and the
 * 24-hour stats, or from the ticker alone when the stats could not be read.
 *
 * Crypto trades around the clock, so there is no previous close. The
 * `previousClose` of this quote is the 24-hour open from the stats: the
 * price 24 hours before now. `change` and `changePercent` are therefore the
 * 24-hour change, and `open`, `high`, `low` and `volume` are 24-hour
 * figures too.
 */
export function buildQuote(
  instrument: Instrument,
  ticker: Ticker,
  stats: Stats | null,
): BuiltQuote {
  const dropped: string[] = [];
  let bid = positive(ticker.bid);
  let ask = positive(ticker.ask);
  if (bid !== null && ask !== null && bid > ask) {
    dropped.push(`bid and ask (bid ${bid} > ask ${ask})`);
    bid = null;
    ask = null;
  }
  let high = positive(stats?.high);
  let low = positive(stats?.low);
  if (high !== null && low !== null && low > high) {
    dropped.push(`high and low (low ${low} > high ${high})`);
    high = null;
    low = null;
  }
  const open24h = positive(stats?.open);
  const quote: Quote = {
    symbol: instrument.symbol,
    assetClass: instrument.assetClass,
    currency: currencyOf(instrument),
    // NOTE: no ISO 10383 MIC of Coinbase Exchange was confirmed, so none is
    // given; `source` names the venue.
    exchange: null,
    price: ticker.price,
    ...change(ticker.price, open24h),
    open: open24h,
    high,
    low,
    volume: nonNegative(stats?.volume ?? ticker.volume),
    bid,
    ask,
    // Coinbase trades around the clock, so every quote is in regular session.
    session: 'regular',
    asOf: ticker.time,
    source: 'coinbase',
    stale: false,
    delayed: 0,
  };

  return { quote, dropped };
}

function change(
  price: number,
  previousClose: number | null,
): Pick<Quote, 'change' | 'changePercent' | 'previousClose'> {
  if (previousClose === null) {
    return { change: null, changePercent: null, previousClose: null };
  }
  const difference = Number((price - previousClose).toPrecision(CHANGE_DIGITS));
  const factor = 10 ** PERCENT_DECIMALS;

  return {
    change: difference,
    changePercent:
      Math.round((difference / previousClose) * 100 * factor) / factor,
    previousClose,
  };
}

function positive(value: number | null | undefined): number | null {
  return value !== null && value !== undefined && value > 0 ? value : null;
}

function nonNegative(value: number | null | undefined): number | null {
  return value !== null && value !== undefined && value >= 0 ? value : null;
}
