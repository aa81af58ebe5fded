import type { LoggerService } from '@nestjs/common';
import type { Quote } from '../market/quote.js';
import type { Instrument } from '../market/symbol.js';
import type { Feed, FeedListener } from './feed.js';

export interface PollFeedOptions {
  instrument: Instrument;
  /** Reads the quote through the cache, so polling costs at most one upstream call per cache lifetime. */
  readQuote: (instrument: Instrument) => Promise<Quote>;
  intervalMs: number;
  listener: FeedListener;
  logger: LoggerService;
}

/**
 * A feed for symbols without a native stream: reads the cached quote every
 * interval and passes it on when its price, time or staleness changed. Reads
 * never overlap. A failed read marks the feed stale and passes the last
 * quote on again, marked `stale`. The feed stays stale until a read succeeds.
 */
export class PollFeed implements Feed {
  readonly kind = 'poll';
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private last: Quote | null = null;
  private stale = false;

  constructor(private readonly options: PollFeedOptions) {
    void this.poll();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private async poll(): Promise<void> {
    const { instrument, listener } = this.options;
    try {
      const quote = await this.options.readQuote(instrument);
      if (this.stopped) return;
      if (this.stale) {
        this.stale = false;
        listener.status({
          code: 'feed_resumed',
          symbols: [instrument.symbol],
          detail: `quotes of ${instrument.symbol} are current again`,
        });
      }
      if (this.changed(quote)) {
        this.last = quote;
        listener.quote(quote);
      }
    } catch (error) {
      if (this.stopped) return;
      this.markStale(error);
    }
    this.schedule();
  }

  private changed(quote: Quote): boolean {
    return (
      this.last === null ||
      quote.asOf !== this.last.asOf ||
      quote.price !== this.last.price ||
      quote.stale !== this.last.stale
    );
  }

  private markStale(error: unknown): void {
    if (this.stale) return;
    this.stale = true;
    const symbol = this.options.instrument.symbol;
    const reason = error instanceof Error ? error.message : String(error);
    this.options.logger.warn(
      `Polling the quote of ${symbol} failed: ${reason}`,
    );
    this.options.listener.status({
      code: 'feed_stale',
      symbols: [symbol],
      detail: `the quote of ${symbol} could not be read: ${reason}`,
    });
    if (!this.last || this.last.stale) return;
    this.last = { ...this.last, stale: true };
    this.options.listener.quote(this.last);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.poll(), this.options.intervalMs);
    this.timer.unref();
  }
}
