import type { Bar } from '../../market/bar.js';
import { roundPrice } from './minute-path.js';
import { SeededRandom } from './seeded-random.js';

/** A point of the price line inside one minute: time as a fraction of the minute. */
interface Waypoint {
  at: number;
  price: number;
}

/**
 * Returns the price line through a minute: from the open to one extreme, to
 * the other and on to the close, at times drawn from `key`. Whether the high
 * or the low comes first is drawn too.
 */
function waypoints(bar: Bar, key: number): Waypoint[] {
  const random = new SeededRandom(key);
  const highFirst = random.uniform() < 0.5;
  const firstAt = 0.1 + 0.35 * random.uniform();
  const secondAt = 0.55 + 0.35 * random.uniform();
  const [first, second] = highFirst ? [bar.high, bar.low] : [bar.low, bar.high];

  return [
    { at: 0, price: bar.open },
    { at: firstAt, price: first },
    { at: secondAt, price: second },
    { at: 1, price: bar.close },
  ];
}

/**
 * Returns the price `fraction` (0 to 1) of the way through a minute, on a
 * line that reaches the bar's high and low once each.
 */
export function priceInMinute(
  bar: Bar,
  fraction: number,
  key: number,
  decimals: number,
): number {
  const points = waypoints(bar, key);
  for (let i = 1; i < points.length; i += 1) {
    const from = points[i - 1];
    const to = points[i];
    if (!from || !to || fraction > to.at) continue;
    const share = (fraction - from.at) / (to.at - from.at);

    return roundPrice(from.price + share * (to.price - from.price), decimals);
  }

  return bar.close;
}

/**
 * Returns a minute bar as seen `fraction` of the way through it: the high
 * and low reached so far, the current price as close, and a pro-rata share
 * of the volume. The bar is marked incomplete.
 */
export function partialMinuteBar(
  bar: Bar,
  fraction: number,
  key: number,
  decimals: number,
): Bar {
  const price = priceInMinute(bar, fraction, key, decimals);
  const passed = waypoints(bar, key).filter((point) => point.at <= fraction);
  const prices = [...passed.map((point) => point.price), price];

  return {
    time: bar.time,
    open: bar.open,
    high: Math.max(...prices),
    low: Math.min(...prices),
    close: price,
    volume: bar.volume === null ? null : Math.floor(bar.volume * fraction),
    complete: false,
  };
}
