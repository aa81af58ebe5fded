import type { Quote, Tick } from '../market/quote.js';

/** Decimal places of `changePercent`, as the REST quotes have them. */
const PERCENT_DECIMALS = 4;
/** Significant digits of `change`: enough for sub-satoshi prices, few enough to drop float artefacts. */
const CHANGE_DIGITS = 12;

/**
 * Applies a trade or price tick to the last quote. The price, bid, ask, time
 * and source come from the tick, and change is measured against the previous
 * close. The day's high and low widen to include the price, and a trade size
 * adds to the volume.
 */
export function foldTick(quote: Quote, tick: Tick): Quote {
  const previousClose = quote.previousClose;
  const change =
    previousClose === null
      ? null
      : Number((tick.price - previousClose).toPrecision(CHANGE_DIGITS));
  const changePercent =
    change === null || !previousClose
      ? null
      : roundTo((change / previousClose) * 100, PERCENT_DECIMALS);

  return {
    ...quote,
    price: tick.price,
    bid: tick.bid ?? quote.bid,
    ask: tick.ask ?? quote.ask,
    change,
    changePercent,
    high: quote.high === null ? null : Math.max(quote.high, tick.price),
    low: quote.low === null ? null : Math.min(quote.low, tick.price),
    volume:
      tick.size === undefined || quote.volume === null
        ? quote.volume
        : quote.volume + tick.size,
    asOf: tick.time,
    source: tick.source,
    stale: false,
  };
}

function roundTo(value: number, decimals: number): number {
  const factor = 10 ** decimals;

  return Math.round(value * factor) / factor;
}
