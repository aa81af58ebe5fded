import type { LoggerService } from '@nestjs/common';
import { Subject, type Observable } from 'rxjs';
import { INTERVAL_MS } from '../../market/interval.js';
import type { Tick } from '../../market/quote.js';
import type { Instrument } from '../../market/symbol.js';
import type { TickStream } from '../market-data-source.js';
import type { ReplaySeries } from './replay-series.js';

export interface ReplayTickStreamOptions {
  /** Multiplier of real time: at 60 a one-minute bar plays in one second. */
  speed: number;
  now: () => number;
  logger: LoggerService;
  /** Returns the series to replay for a canonical symbol, if any. */
  seriesFor: (symbol: string) => ReplaySeries | undefined;
}

/** Prices played per bar: open, high, low, close. */
const TICKS_PER_BAR = 4;
/**
 * Bounds of one timer delay. Node runs a delay above 2^31 - 1 ms after 1 ms,
 * so slower replays are capped at one tick per 24.8 days.
 */
const MIN_DELAY_MS = 1;
const MAX_DELAY_MS = 2 ** 31 - 1;

interface Playback {
  series: ReplaySeries;
  position: number;
  delay: number;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Replays stored bars as live ticks: each bar's open, high, low and close
 * in turn, spread evenly over the bar's width divided by the speed, then
 * from the first bar again after the last. Ticks carry the wall clock time.
 */
export class ReplayTickStream implements TickStream {
  private readonly subject = new Subject<Tick>();
  private readonly playing = new Map<string, Playback>();
  private closed = false;
  readonly ticks: Observable<Tick> = this.subject.asObservable();

  constructor(private readonly options: ReplayTickStreamOptions) {
    if (!(options.speed > 0) || !Number.isFinite(options.speed)) {
      throw new RangeError(
        `Replay speed ${options.speed} is invalid; use a positive multiplier such as 1 or 60.`,
      );
    }
  }

  subscribe(instruments: readonly Instrument[]): void {
    for (const { symbol } of instruments) {
      if (this.closed || this.playing.has(symbol)) continue;
      const series = this.options.seriesFor(symbol);
      if (!series || series.bars.length === 0) {
        this.options.logger.debug?.(
          `Replay stream ignores ${symbol}: no bars in the replay files`,
        );
        continue;
      }
      const playback: Playback = {
        series,
        position: 0,
        delay: this.delayOf(series),
        timer: undefined,
      };
      this.playing.set(symbol, playback);
      // The first tick goes out at once, so a new subscriber gets a price.
      this.schedule(symbol, playback, 0);
    }
  }

  unsubscribe(symbols: readonly string[]): void {
    for (const symbol of symbols) {
      const playback = this.playing.get(symbol);
      if (!playback) continue;
      clearTimeout(playback.timer);
      this.playing.delete(symbol);
    }
  }

  /**
   * Stops every symbol and completes `ticks`. Later subscriptions are
   * ignored.
   */
  close(): Promise<void> {
    this.unsubscribe([...this.playing.keys()]);
    this.closed = true;
    this.subject.complete();

    return Promise.resolve();
  }

  /** Symbols currently replayed. */
  symbols(): string[] {
    return [...this.playing.keys()];
  }

  private delayOf(series: ReplaySeries): number {
    const delay =
      INTERVAL_MS[series.interval] / TICKS_PER_BAR / this.options.speed;

    return Math.min(Math.max(delay, MIN_DELAY_MS), MAX_DELAY_MS);
  }

  private schedule(symbol: string, playback: Playback, delay: number): void {
    playback.timer = setTimeout(() => {
      if (this.playing.get(symbol) !== playback) return;
      this.emitNext(symbol, playback);
      this.schedule(symbol, playback, playback.delay);
    }, delay);
    playback.timer.unref();
  }

  private emitNext(symbol: string, playback: Playback): void {
    const { bars } = playback.series;
    const index = playback.position;
    playback.position = (index + 1) % (bars.length * TICKS_PER_BAR);
    const bar = bars[Math.floor(index / TICKS_PER_BAR)];
    if (!bar) return;
    const prices = [bar.open, bar.high, bar.low, bar.close];

    this.subject.next({
      symbol,
      price: prices[index % TICKS_PER_BAR] ?? bar.close,
      time: this.options.now(),
      source: 'replay',
    });
  }
}
