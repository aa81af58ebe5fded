import type { LoggerService } from '@nestjs/common';
import { Subject, type Observable } from 'rxjs';
import type { Tick } from '../../market/quote.js';
import type { Instrument } from '../../market/symbol.js';
import type { TickStream } from '../market-data-source.js';
import type { PriceSeries } from './price-series.js';
import { bidAsk, SOURCE_ID } from './quote-builder.js';

export interface TickStreamOptions {
  /** Returns the series of a symbol, or null when the universe lacks it. */
  seriesOf: (symbol: string) => PriceSeries | null;
  now: () => number;
  intervalMs: number;
  logger?: LoggerService;
}

/**
 * Ticks that follow the same minute paths as quotes: every `intervalMs`,
 * one tick per subscribed symbol whose market is open, priced inside the
 * current minute. The timer runs only while a symbol is subscribed and does
 * not keep the process alive.
 */
export class SimulatedTickStream implements TickStream {
  private readonly subject = new Subject<Tick>();
  private readonly subscribed = new Map<string, PriceSeries>();
  /** Symbols whose failure was already logged, so each is logged once. */
  private readonly failed = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  readonly ticks: Observable<Tick> = this.subject.asObservable();

  constructor(private readonly options: TickStreamOptions) {}

  subscribe(instruments: readonly Instrument[]): void {
    if (this.closed) return;
    for (const { symbol } of instruments) {
      const series = this.options.seriesOf(symbol);
      if (series) {
        this.subscribed.set(symbol, series);
        continue;
      }
      this.options.logger?.warn(
        `Ignored stream subscription to ${symbol}: not in the simulated universe`,
      );
    }
    if (this.subscribed.size > 0 && !this.timer) {
      this.timer = setInterval(() => this.emit(), this.options.intervalMs);
      this.timer.unref();
    }
  }

  unsubscribe(symbols: readonly string[]): void {
    for (const symbol of symbols) this.subscribed.delete(symbol);
    if (this.subscribed.size === 0) this.stopTimer();
  }

  close(): Promise<void> {
    this.closed = true;
    this.stopTimer();
    this.subscribed.clear();
    this.subject.complete();

    return Promise.resolve();
  }

  private stopTimer(): void {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = null;
  }

  private emit(): void {
    const now = this.options.now();
    for (const [symbol, series] of this.subscribed) {
      try {
        const tick = tickAt(series, now);
        if (tick) this.subject.next(tick);
      } catch (error: unknown) {
        if (this.failed.has(symbol)) continue;
        this.failed.add(symbol);
        this.options.logger?.error(
          `Simulated tick for ${symbol} failed: ${String(error)}`,
        );
      }
    }
  }
}

/** Returns the tick of a series at `now`, or null while its market is closed. */
export function tickAt(series: PriceSeries, now: number): Tick | null {
  const session = series.latestSession(now);
  if (!session || now >= session.close) return null;
  const price = series.priceAt(session, now);
  const spread = bidAsk(series.spec, price);

  return {
    symbol: series.symbol,
    price,
    ...spread,
    time: now,
    source: SOURCE_ID,
  };
}
