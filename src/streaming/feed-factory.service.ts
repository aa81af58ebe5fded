import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import type { Quote } from '../market/quote.js';
import type { Instrument } from '../market/symbol.js';
import type { MarketDataSource } from '../providers/market-data-source.js';
import { SourceRegistry } from '../providers/source-registry.service.js';
import { QuotesService } from '../quotes/quotes.service.js';
import type { Feed, FeedListener } from './feed.js';
import { NativeFeed } from './native-feed.js';
import { PollFeed } from './poll-feed.js';

/**
 * Starts the feed of one symbol: the native stream of the first source in
 * STREAM_PROVIDERS order that has a stream and serves the symbol, else a
 * poller on the cached quote path.
 */
@Injectable()
export class FeedFactory {
  private readonly logger = new Logger(FeedFactory.name);

  constructor(
    private readonly registry: SourceRegistry,
    private readonly quotes: QuotesService,
    private readonly config: AppConfig,
  ) {}

  async start(instrument: Instrument, listener: FeedListener): Promise<Feed> {
    const base = await this.quotes.quote(instrument).catch(() => null);
    const native = await this.nativeSource(instrument, base);
    if (native?.source.stream) {
      return new NativeFeed(
        native.source.id,
        native.source.stream,
        instrument,
        native.quote,
        listener,
      );
    }

    return new PollFeed({
      instrument,
      readQuote: (target) => this.quotes.quote(target),
      intervalMs: this.config.streaming.pollIntervalMs,
      listener,
      logger: this.logger,
    });
  }

  /**
   * Finds the streaming source that serves the symbol, with the quote its
   * ticks start from. A source serves the symbol when the quote path
   * returned its quote of the symbol, or, for an embedded source, when it
   * quotes the symbol itself (no network call).
   * NOTE: upstream streams other than the quote's own source are not probed,
   * since probing would cost an upstream call per subscription.
   */
  private async nativeSource(
    instrument: Instrument,
    base: Quote | null,
  ): Promise<{ source: MarketDataSource; quote: Quote } | null> {
    const streaming = this.registry
      .sourcesFor('stream')
      .filter((source) => source.stream !== undefined);
    for (const source of streaming) {
      if (base && base.source === source.id) return { source, quote: base };
      if (source.kind !== 'embedded' || !source.getQuote) continue;
      const own = await source.getQuote(instrument).catch(() => null);
      if (own) return { source, quote: own };
    }

    return null;
  }
}
