import type { Quote, Tick } from '../market/quote.js';

/**
 * Applies a trade or price tick to the last quote. The price, bid, ask, time
 * and source come from the tick, and change is measured against the previous
 * close. The day's high and low widen to include the price, and a trade size
 * adds to the volume.
 */
export function foldTick(quote: Quote, tick: Tick): Quote {
  const change =
    quote.previousClose === null ? null : tick.price - quote.previousClose;
  const changePercent =
    change === null || !quote.previousClose
      ? null
      : (change / quote.previousClose) * 100;

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
