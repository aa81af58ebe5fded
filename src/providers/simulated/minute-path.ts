import type { Bar } from '../../market/bar.js';
import type { SeededRandom } from './seeded-random.js';

export const MINUTE_MS = 60_000;

/** Minute bars of one trading session as parallel arrays, prices rounded. */
export interface MinutePath {
  /** Start of the first minute in epoch ms. */
  start: number;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  /** Units traded per minute, or null where the market reports no volume. */
  volume: Float64Array | null;
}

/** Intraday volume pattern: equities trade most near the open and close. */
export type VolumeProfile = 'u-shaped' | 'flat';

export interface MinutePathInput {
  start: number;
  minutes: number;
  openLog: number;
  closeLog: number;
  /** Standard deviation of log returns over a whole session. */
  dailyVolatility: number;
  decimals: number;
  /** Expected units traded over the session, or null for no volume. */
  sessionVolume: number | null;
  volumeProfile: VolumeProfile;
  random: SeededRandom;
}

/**
 * Generates one session's minute bars as a Brownian bridge in log price from
 * the open to the close. Each minute's high and low are drawn from the exact
 * distribution of the maximum and minimum of a Brownian bridge between that
 * minute's open and close, so they always contain both.
 */
export function generateMinutePath(input: MinutePathInput): MinutePath {
  const { minutes, decimals } = input;
  const path: MinutePath = {
    start: input.start,
    open: new Float64Array(minutes),
    high: new Float64Array(minutes),
    low: new Float64Array(minutes),
    close: new Float64Array(minutes),
    volume: input.sessionVolume === null ? null : new Float64Array(minutes),
  };
  const variance = minuteVariance(input);
  walkBridge(input, (i, openLog, closeLog, highDraw, lowDraw) => {
    const highLog = bridgeHigh(openLog, closeLog, variance, highDraw);
    const lowLog = bridgeLow(openLog, closeLog, variance, lowDraw);
    path.open[i] = roundPrice(Math.exp(openLog), decimals);
    path.high[i] = roundPrice(Math.exp(highLog), decimals);
    path.low[i] = roundPrice(Math.exp(lowLog), decimals);
    path.close[i] = roundPrice(Math.exp(closeLog), decimals);
  });
  const { volume } = path;
  if (volume) drawVolumes(input, (i, units) => (volume[i] = units));

  return path;
}

/**
 * Upper bound of -ln(u) for the generator's uniforms, which are at least
 * 2^-33 (so -ln(u) <= 22.87). It bounds how far a minute's high can rise
 * above its open and close.
 */
const MAX_MINUS_LOG_DRAW = 23;

/**
 * Returns what `summarizePath(generateMinutePath(input))` returns without
 * storing the minutes. Rounding after `exp` never reverses an order, so the
 * highest rounded minute high is the rounded highest log high. A minute
 * whose high cannot exceed the highest so far, whatever its draw, skips the
 * logarithm and square root.
 */
export function summarizeSession(input: MinutePathInput): PriceSummary {
  const variance = minuteVariance(input);
  const reach = 2 * MAX_MINUS_LOG_DRAW * variance;
  let highLog = Number.NEGATIVE_INFINITY;
  let lowLog = Number.POSITIVE_INFINITY;
  walkBridge(input, (_i, openLog, closeLog, highDraw, lowDraw) => {
    const squaredMove = (closeLog - openLog) ** 2;
    const aboveHigh = 2 * highLog - openLog - closeLog;
    if (aboveHigh <= 0 || aboveHigh * aboveHigh <= squaredMove + reach) {
      highLog = Math.max(
        highLog,
        bridgeHigh(openLog, closeLog, variance, highDraw),
      );
    }
    const belowLow = openLog + closeLog - 2 * lowLog;
    if (belowLow <= 0 || belowLow * belowLow <= squaredMove + reach) {
      lowLog = Math.min(
        lowLog,
        bridgeLow(openLog, closeLog, variance, lowDraw),
      );
    }
  });
  let volume: number | null = null;
  if (input.sessionVolume !== null) {
    let total = 0;
    drawVolumes(input, (_i, units) => {
      total += units;
    });
    volume = total;
  }
  const price = (log: number) => roundPrice(Math.exp(log), input.decimals);

  return {
    open: price(input.openLog),
    high: price(highLog),
    low: price(lowLog),
    close: price(input.closeLog),
    volume,
  };
}

function minuteVariance(input: MinutePathInput): number {
  return input.dailyVolatility ** 2 / input.minutes;
}

/**
 * Returns the maximum of a Brownian bridge from `a` to `b` with the given
 * variance, for a uniform draw `u`: the inverse of
 * P(max > m) = exp(-2 (m - a)(m - b) / variance).
 */
function bridgeHigh(a: number, b: number, variance: number, u: number) {
  return (a + b + Math.sqrt((b - a) ** 2 - 2 * variance * Math.log(u))) / 2;
}

/** Returns the minimum of the same bridge, by symmetry. */
function bridgeLow(a: number, b: number, variance: number, u: number) {
  return (a + b - Math.sqrt((b - a) ** 2 - 2 * variance * Math.log(u))) / 2;
}

type MinuteVisitor = (
  index: number,
  openLog: number,
  closeLog: number,
  highDraw: number,
  lowDraw: number,
) => void;

/**
 * Draws the bridge minute by minute, with two uniforms per minute for its
 * high and low. Both summaries and full paths rely on this order of draws.
 */
function walkBridge(input: MinutePathInput, visit: MinuteVisitor): void {
  const { minutes, random } = input;
  const sigma = Math.sqrt(minuteVariance(input));
  let previous = input.openLog;

  for (let i = 0; i < minutes; i += 1) {
    const remaining = minutes - i;
    const next =
      remaining === 1
        ? input.closeLog
        : previous +
          (input.closeLog - previous) / remaining +
          sigma * Math.sqrt((remaining - 1) / remaining) * random.normal();
    visit(i, previous, next, random.uniform(), random.uniform());
    previous = next;
  }
}

/** Draws each minute's volume, after the bridge has used its draws. */
function drawVolumes(
  input: MinutePathInput,
  visit: (index: number, units: number) => void,
): void {
  const { minutes, random, volumeProfile } = input;
  const perMinute = (input.sessionVolume ?? 0) / minutes;

  for (let i = 0; i < minutes; i += 1) {
    // Gamma(2, 1/2) noise: mean 1, skewed to the right like real minute
    // volumes, and cheaper to draw than a log-normal.
    const noise = -Math.log(random.uniform() * random.uniform()) / 2;
    const expected =
      perMinute * profileWeight(volumeProfile, (i + 0.5) / minutes);
    visit(i, Math.max(1, Math.round(expected * noise)));
  }
}

/**
 * Relative volume at a point of the session (0 at the open, 1 at the close),
 * with a mean of 1 over the session. The U shape, 1 + 3(2t - 1)^2 halved,
 * trades twice the mean at the open and close and half of it at midday.
 */
function profileWeight(profile: VolumeProfile, t: number): number {
  if (profile === 'flat') return 1;

  return (1 + 3 * (2 * t - 1) ** 2) / 2;
}

/** Rounds a price to a number of decimal places. */
export function roundPrice(price: number, decimals: number): number {
  const factor = 10 ** decimals;

  return Math.round(price * factor) / factor;
}

/** Returns minute `index` of a path as a complete bar. */
export function minuteBar(path: MinutePath, index: number): Bar {
  return {
    time: path.start + index * MINUTE_MS,
    open: path.open[index] ?? Number.NaN,
    high: path.high[index] ?? Number.NaN,
    low: path.low[index] ?? Number.NaN,
    close: path.close[index] ?? Number.NaN,
    volume: path.volume ? (path.volume[index] ?? null) : null,
    complete: true,
  };
}

/** Open, high, low, close and volume of a span of bars. */
export interface PriceSummary {
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number | null;
}

/**
 * Merges a whole path the way `aggregateBars` merges its minute bars: first
 * open, highest high, lowest low, last close and volumes added in order.
 */
export function summarizePath(path: MinutePath): PriceSummary {
  const last = path.close.length - 1;
  let high = Number.NEGATIVE_INFINITY;
  let low = Number.POSITIVE_INFINITY;
  for (let i = 0; i <= last; i += 1) {
    high = Math.max(high, path.high[i] ?? high);
    low = Math.min(low, path.low[i] ?? low);
  }
  let volume: number | null = null;
  if (path.volume) {
    volume = path.volume[0] ?? 0;
    for (let i = 1; i <= last; i += 1) volume += path.volume[i] ?? 0;
  }

  return {
    open: path.open[0] ?? Number.NaN,
    high,
    low,
    close: path.close[last] ?? Number.NaN,
    volume,
  };
}

/** Merges consecutive bars the same way as `summarizePath`; `bars` must not be empty. */
export function summarizeBars(bars: readonly Bar[]): PriceSummary {
  const [first, ...rest] = bars;
  if (!first) throw new RangeError('Cannot summarize an empty list of bars');
  const { open, high, low, close, volume } = first;
  const summary: PriceSummary = { open, high, low, close, volume };

  for (const bar of rest) {
    summary.high = Math.max(summary.high, bar.high);
    summary.low = Math.min(summary.low, bar.low);
    summary.close = bar.close;
    if (summary.volume !== null && bar.volume !== null) {
      summary.volume += bar.volume;
    }
  }

  return summary;
}
