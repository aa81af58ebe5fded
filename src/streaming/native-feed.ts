import type { Subscription } from 'rxjs';
import type { Quote } from '../market/quote.js';
import type { Instrument } from '../market/symbol.js';
import type { TickStream } from '../providers/market-data-source.js';
import type { Feed, FeedListener } from './feed.js';
import { foldTick } from './quote-folding.js';

/**
 * A feed on a source's own tick stream: each tick of the symbol is folded
 * into the last quote, which starts as the quote path's result. While the
 * stream reports the symbol stale, the last quote goes out again marked
 * `stale`, so that new subscribers see it too.
 */
export class NativeFeed implements Feed {
  readonly kind: string;
  private readonly subscriptions: Subscription[] = [];
  private stopped = false;

  constructor(
    sourceId: string,
    private readonly stream: TickStream,
    private readonly instrument: Instrument,
    private last: Quote,
    listener: FeedListener,
  ) {
    this.kind = `native:${sourceId}`;
    const symbol = instrument.symbol;
    listener.quote(last);
    this.subscriptions.push(
      stream.ticks.subscribe((tick) => {
        if (tick.symbol !== symbol || this.stopped) return;
        this.last = foldTick(this.last, tick);
        listener.quote(this.last);
      }),
    );
    if (stream.events) {
      this.subscriptions.push(
        stream.events.subscribe((event) => {
          if (this.stopped || !event.symbols.includes(symbol)) return;
          listener.status({ ...event, symbols: [symbol] });
          const stale = event.code === 'feed_stale';
          if (this.last.stale === stale) return;
          this.last = { ...this.last, stale };
          listener.quote(this.last);
        }),
      );
    }
    stream.subscribe([instrument]);
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    this.stream.unsubscribe([this.instrument.symbol]);
  }
}
