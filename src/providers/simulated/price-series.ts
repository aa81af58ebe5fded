import { SymbolNotFoundError } from '../../common/api.errors.js';
import type { Bar } from '../../market/bar.js';
import { DailyPath, TradingDates } from './daily-path.js';
import { partialMinuteBar, priceInMinute } from './intra-minute.js';
import { LRUCache } from 'lru-cache';
import { memoize } from './cache-memo.js';
import {
  generateMinutePath,
  MINUTE_MS,
  minuteBar,
  roundPrice,
  summarizeBars,
  summarizePath,
  summarizeSession,
  type MinutePath,
  type MinutePathInput,
  type PriceSummary,
} from './minute-path.js';
import { hashKey, SeededRandom } from './seeded-random.js';
import {
  addDays,
  tradingHoursOf,
  type TradingHours,
  type TradingSession,
} from './trading-hours.js';
import type { SimulatedInstrument } from './universe.js';

/**
 * Maximum session summaries cached for daily bars. 100,000 entries hold 20
 * years of daily bars for about 20 instruments, and a full cache took about
 * 23 MB of heap when measured on Node 20.
 */
export const DAY_CACHE_ENTRIES = 100_000;

/**
 * Maximum minute paths cached for intraday bars and quotes. A path has up
 * to 1,440 minutes in five float64 columns, so 64 paths take about 3.7 MB.
 */
export const MINUTE_PATH_CACHE_ENTRIES = 64;

/** Caches shared by every series of one source, keyed by symbol and date. */
export interface SeriesCaches {
  /** Minute paths of recently used sessions, for intraday bars and quotes. */
  paths: LRUCache<string, MinutePath>;
  /** Summaries of complete sessions, for daily bars. */
  days: LRUCache<string, PriceSummary>;
}

/**
 * Prices of one instrument. The minute path of each session is the source
 * of truth, and every bar and quote is derived from it as seen at `now`.
 * Minutes that start later are hidden, and the current one is partial.
 */
export class PriceSeries {
  readonly symbol: string;
  readonly timeZone: string;

  constructor(
    readonly spec: SimulatedInstrument,
    readonly hours: TradingHours,
    private readonly seed: number,
    private readonly dates: TradingDates,
    private readonly daily: DailyPath,
    private readonly caches: SeriesCaches,
  ) {
    this.symbol = spec.instrument.symbol;
    this.timeZone = hours.timeZone;
  }

  /** Returns the latest session that opened at or before `now`, or null when none did. */
  latestSession(now: number): TradingSession | null {
    let date = this.dates.onOrBefore(this.hours.dateAt(now));
    for (let step = 0; date !== null && step < 2; step += 1) {
      const session = this.hours.session(date);
      if (session && session.open <= now) return session;
      date = this.dates.onOrBefore(addDays(date, -1));
    }

    return null;
  }

  /** Returns the sessions of the trading dates from `from` to `to`. */
  sessionsBetween(from: string, to: string): TradingSession[] {
    const sessions: TradingSession[] = [];
    for (const date of this.dates.between(from, to)) {
      const session = this.hours.session(date);
      if (session) sessions.push(session);
    }

    return sessions;
  }

  /** Returns the trading date `count` trading days before `date`, or the first one. */
  tradingDateBack(date: string, count: number): string {
    const last = this.dates.onOrBefore(date);
    if (last === null) return date;
    const ordinal = Math.max(0, this.dates.ordinalOf(last) - count);

    return this.dates.dateAt(ordinal) ?? last;
  }

  /** Returns the close of the trading day before a session, or the base price before the first. */
  previousClose(session: TradingSession): number {
    const ordinal = this.dates.ordinalOf(session.date);
    const date = this.dates.dateAt(ordinal - 1);
    const previous = date === null ? null : this.hours.session(date);
    if (previous) return this.fullDay(previous).close;

    return roundPrice(this.spec.basePrice, this.spec.decimals);
  }

  /**
   * Returns the minute bars of a session that started by `now`. The last
   * one is partial while the session is open.
   */
  minuteBars(session: TradingSession, now: number): Bar[] {
    if (now < session.open) return [];
    const path = this.minutePath(session);
    const minutes = path.close.length;
    const elapsed = now - session.open;
    const whole = Math.min(minutes, Math.floor(elapsed / MINUTE_MS));
    const bars: Bar[] = [];
    for (let i = 0; i < whole; i += 1) bars.push(minuteBar(path, i));
    if (whole < minutes) {
      const fraction = (elapsed - whole * MINUTE_MS) / MINUTE_MS;
      const bar = minuteBar(path, whole);
      const key = this.minuteKey(bar.time);
      bars.push(partialMinuteBar(bar, fraction, key, this.spec.decimals));
    }

    return bars;
  }

  /** Returns the session's daily bar as seen at `now`, or null before it opens. */
  dayBar(session: TradingSession, now: number): Bar | null {
    const summary = this.daySummary(session, now);
    if (!summary) return null;

    return {
      time: Date.parse(`${session.date}T00:00:00Z`),
      date: session.date,
      ...summary,
      complete: now >= session.close,
    };
  }

  /** Returns the session's open, high, low, close and volume so far. */
  daySummary(session: TradingSession, now: number): PriceSummary | null {
    if (now < session.open) return null;
    if (now >= session.close) return this.fullDay(session);

    return summarizeBars(this.minuteBars(session, now));
  }

  /** Returns the price at `now` inside a session, or its close once it ended. */
  priceAt(session: TradingSession, now: number): number {
    if (now >= session.close) return this.fullDay(session).close;
    const path = this.minutePath(session);
    const index = Math.max(0, Math.floor((now - session.open) / MINUTE_MS));
    const bar = minuteBar(path, index);
    const fraction = (now - bar.time) / MINUTE_MS;

    return priceInMinute(
      bar,
      fraction,
      this.minuteKey(bar.time),
      this.spec.decimals,
    );
  }

  private fullDay(session: TradingSession): PriceSummary {
    const key = `${this.symbol}|${session.date}`;

    return memoize(this.caches.days, key, () => {
      const path = this.caches.paths.get(key);

      return path
        ? summarizePath(path)
        : summarizeSession(this.pathInput(session));
    });
  }

  private minutePath(session: TradingSession): MinutePath {
    return memoize(this.caches.paths, `${this.symbol}|${session.date}`, () =>
      generateMinutePath(this.pathInput(session)),
    );
  }

  private pathInput(session: TradingSession): MinutePathInput {
    const day = this.daily.day(session.date);
    if (!day) {
      throw new RangeError(
        `${session.date} is not a trading day of ${this.symbol}`,
      );
    }
    const minutes = Math.round((session.close - session.open) / MINUTE_MS);
    const { averageVolume } = this.spec;
    const share = minutes / this.hours.fullSessionMinutes;

    return {
      start: session.open,
      minutes,
      openLog: day.openLog,
      closeLog: day.closeLog,
      dailyVolatility: this.spec.dailyVolatility * Math.sqrt(share),
      decimals: this.spec.decimals,
      sessionVolume:
        averageVolume === null
          ? null
          : averageVolume * day.volumeFactor * share,
      volumeProfile:
        this.spec.instrument.assetClass === 'equity' ? 'u-shaped' : 'flat',
      random: SeededRandom.of(this.seed, this.symbol, session.date, 'minutes'),
    };
  }

  private minuteKey(time: number): number {
    return hashKey(this.seed, this.symbol, time, 'minute');
  }
}

/**
 * Builds the series of every instrument in a universe. They share the
 * caches, and instruments with the same trading hours share one index of
 * trading dates.
 */
export function buildSeries(
  universe: ReadonlyMap<string, SimulatedInstrument>,
  seed: number,
): Map<string, PriceSeries> {
  const caches: SeriesCaches = {
    paths: new LRUCache({ max: MINUTE_PATH_CACHE_ENTRIES }),
    days: new LRUCache({ max: DAY_CACHE_ENTRIES }),
  };
  const datesByHours = new Map<TradingHours, TradingDates>();
  const series = new Map<string, PriceSeries>();
  for (const [symbol, spec] of universe) {
    const hours = tradingHoursOf(spec.instrument);
    let dates = datesByHours.get(hours);
    if (!dates) {
      dates = new TradingDates((date) => hours.isTradingDay(date));
      datesByHours.set(hours, dates);
    }
    const daily = new DailyPath(spec, seed, dates);
    series.set(
      symbol,
      new PriceSeries(spec, hours, seed, dates, daily, caches),
    );
  }

  return series;
}

/** Returns the series of a symbol, or throws SymbolNotFoundError when the universe lacks it. */
export function findSeries(
  series: ReadonlyMap<string, PriceSeries>,
  symbol: string,
): PriceSeries {
  const found = series.get(symbol);
  if (found) return found;

  throw new SymbolNotFoundError(
    symbol,
    `Symbol ${symbol} is not in the simulated universe. Add it to SIMULATED_SYMBOLS to simulate it.`,
  );
}
