import type { AssetClass } from '../../market/asset-class.js';
import { SeededRandom } from './seeded-random.js';
import { addDays, isoDate } from './trading-hours.js';
import type { SimulatedInstrument } from './universe.js';

/** First date of simulated data; nothing exists before it. */
export const EPOCH_DATE = '2000-01-01';
export const EPOCH_MS = Date.parse(`${EPOCH_DATE}T00:00:00Z`);
/** Last date the simulation covers, which bounds every scan over dates. */
export const LAST_DATE = '2199-12-31';

/**
 * Half-life in trading days of the pull toward the base price, about two
 * years. It is mild enough to look like a random walk over months, yet it
 * keeps decades of history within a few multiples of the base.
 */
const MEAN_REVERSION_HALF_LIFE = 500;

/**
 * Share of the daily volatility that falls in the overnight gap between the
 * previous close and the open. Markets that trade around the clock open
 * where they closed.
 */
const OVERNIGHT_GAP_SHARE: Readonly<Record<AssetClass, number>> = {
  equity: 0.3,
  index: 0.15,
  crypto: 0,
  forex: 0,
};

/** Standard deviation of the log of the daily volume factor. */
const VOLUME_DISPERSION = 0.35;

/** Sorted trading dates of one schedule from the epoch on, found on demand. */
export class TradingDates {
  private readonly dates: string[] = [];
  private readonly ordinals = new Map<string, number>();
  private scannedThrough = addDays(EPOCH_DATE, -1);

  constructor(private readonly isTradingDay: (date: string) => boolean) {}

  /** Returns the position of a trading date from 0 at the epoch, or -1 when it does not trade. */
  ordinalOf(date: string): number {
    this.scanThrough(date);

    return this.ordinals.get(date) ?? -1;
  }

  /** Returns the trading date at a position, or null beyond the last date. */
  dateAt(ordinal: number): string | null {
    if (ordinal < 0) return null;
    while (this.dates.length <= ordinal && this.scannedThrough < LAST_DATE) {
      this.scanThrough(addDays(this.scannedThrough, 366));
    }

    return this.dates[ordinal] ?? null;
  }

  /** Returns the latest trading date on or before `date`, or null when none is. */
  onOrBefore(date: string): string | null {
    this.scanThrough(date);
    const index = this.upperBound(date) - 1;

    return index >= 0 ? (this.dates[index] ?? null) : null;
  }

  /** Returns the trading dates from `from` to `to`, both inclusive. */
  between(from: string, to: string): string[] {
    this.scanThrough(to);

    return this.dates.slice(this.lowerBound(from), this.upperBound(to));
  }

  private scanThrough(date: string): void {
    const target = date < LAST_DATE ? date : LAST_DATE;
    if (target <= this.scannedThrough) return;
    let ms = Date.parse(`${this.scannedThrough}T00:00:00Z`);
    const end = Date.parse(`${target}T00:00:00Z`);
    while (ms < end) {
      ms += 86_400_000;
      const day = isoDate(ms);
      if (this.isTradingDay(day)) {
        this.ordinals.set(day, this.dates.length);
        this.dates.push(day);
      }
    }
    this.scannedThrough = target;
  }

  /** Index of the first scanned date not before `date`. */
  private lowerBound(date: string): number {
    let low = 0;
    let high = this.dates.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.dates[middle] ?? '') < date) low = middle + 1;
      else high = middle;
    }

    return low;
  }

  /** Index of the first scanned date after `date`. */
  private upperBound(date: string): number {
    let low = 0;
    let high = this.dates.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.dates[middle] ?? '') <= date) low = middle + 1;
      else high = middle;
    }

    return low;
  }
}

/** Open and close of one trading day in log price, with its volume level. */
export interface DayPrices {
  date: string;
  openLog: number;
  closeLog: number;
  /** Multiplier of the average volume for this day, about 1 on average. */
  volumeFactor: number;
}

/**
 * Daily closes of one instrument: a random walk in log price over its
 * trading days, pulled toward the log of the base price (a discrete
 * Ornstein-Uhlenbeck process). Each day's shocks come from a hash of seed,
 * symbol and date, so the walk is the same whatever was computed before.
 */
export class DailyPath {
  private readonly closeLogs: number[] = [];
  private readonly baseLog: number;
  private readonly reversion = 1 - 0.5 ** (1 / MEAN_REVERSION_HALF_LIFE);

  constructor(
    private readonly spec: SimulatedInstrument,
    private readonly seed: number,
    private readonly dates: TradingDates,
  ) {
    this.baseLog = Math.log(spec.basePrice);
  }

  /** Returns the log close of a trading day by ordinal; -1 gives the base level. */
  closeLog(ordinal: number): number {
    if (ordinal < 0) return this.baseLog;
    const sigma = this.spec.dailyVolatility;
    while (this.closeLogs.length <= ordinal) {
      const index = this.closeLogs.length;
      const date = this.dates.dateAt(index);
      if (date === null) {
        throw new RangeError(`No trading day ${index} before ${LAST_DATE}`);
      }
      const previous = this.closeLogs[index - 1] ?? this.baseLog;
      const pull = this.reversion * (this.baseLog - previous);
      this.closeLogs.push(previous + pull + sigma * this.shocks(date).close);
    }

    return this.closeLogs[ordinal] ?? this.baseLog;
  }

  /** Returns open, close and volume level of a trading date, or null when it does not trade. */
  day(date: string): DayPrices | null {
    const ordinal = this.dates.ordinalOf(date);
    if (ordinal < 0) return null;
    const shocks = this.shocks(date);
    const gapShare = OVERNIGHT_GAP_SHARE[this.spec.instrument.assetClass];
    const gap = gapShare * this.spec.dailyVolatility * shocks.gap;
    const meanCorrection = VOLUME_DISPERSION ** 2 / 2;

    return {
      date,
      openLog: this.closeLog(ordinal - 1) + gap,
      closeLog: this.closeLog(ordinal),
      volumeFactor: Math.exp(
        VOLUME_DISPERSION * shocks.volume - meanCorrection,
      ),
    };
  }

  private shocks(date: string) {
    const random = SeededRandom.of(
      this.seed,
      this.spec.instrument.symbol,
      date,
      'day',
    );

    return {
      close: random.normal(),
      gap: random.normal(),
      volume: random.normal(),
    };
  }
}
