import { DataNotAvailableError } from '../../common/api.errors.js';
import type { AssetClass } from '../../market/asset-class.js';
import type { Quote } from '../../market/quote.js';
import { EPOCH_DATE } from './daily-path.js';
import { roundPrice } from './minute-path.js';
import type { PriceSeries } from './price-series.js';
import type { SimulatedInstrument } from './universe.js';

export const SOURCE_ID = 'simulated';

/**
 * Half the bid-ask spread as a fraction of the price: a 2 bp spread for
 * liquid stocks and crypto, 0.8 bp (about one pip on EUR-USD) for major
 * pairs. Indices are not traded, so they have no bid or ask.
 */
const HALF_SPREAD: Readonly<Record<AssetClass, number | null>> = {
  equity: 0.0001,
  crypto: 0.0001,
  forex: 0.00004,
  index: null,
};

/** Returns a bid and ask around `price`, at least one price increment apart from it. */
export function bidAsk(
  spec: SimulatedInstrument,
  price: number,
): { bid: number; ask: number } | null {
  const share = HALF_SPREAD[spec.instrument.assetClass];
  if (share === null) return null;
  const increment = 10 ** -spec.decimals;
  const half = Math.max(increment, roundPrice(price * share, spec.decimals));

  return {
    bid: roundPrice(price - half, spec.decimals),
    ask: roundPrice(price + half, spec.decimals),
  };
}

/**
 * Builds the quote at `now`: the last price of the latest session that has
 * opened, with that session's open, high, low and volume so far and the
 * previous trading day's close. Throws DataNotAvailableError before the
 * first session.
 */
export function buildQuote(series: PriceSeries, now: number): Quote {
  const { spec } = series;
  const session = series.latestSession(now);
  const summary = session ? series.daySummary(session, now) : null;
  if (!session || !summary) {
    throw new DataNotAvailableError(
      series.symbol,
      `Simulated data starts on ${EPOCH_DATE}, so there is no quote before it.`,
      { asOf: now },
    );
  }
  const price = summary.close;
  const previousClose = series.previousClose(session);
  const change = roundPrice(price - previousClose, spec.decimals);
  const spread = bidAsk(spec, price);

  return {
    symbol: series.symbol,
    assetClass: spec.instrument.assetClass,
    currency: spec.currency,
    exchange: spec.exchange,
    price,
    change,
    changePercent: roundPrice(
      (100 * (price - previousClose)) / previousClose,
      4,
    ),
    previousClose,
    open: summary.open,
    high: summary.high,
    low: summary.low,
    volume: summary.volume,
    bid: spread?.bid ?? null,
    ask: spread?.ask ?? null,
    session: series.hours.sessionAt(now),
    asOf: Math.min(now, session.close),
    source: SOURCE_ID,
    stale: false,
    delayed: 0,
  };
}
