import { Subject } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { SymbolNotFoundError } from '../common/api.errors.js';
import type { AppConfig } from '../config/app-config.js';
import type { Quote, Tick } from '../market/quote.js';
import { parseSymbol, type Instrument } from '../market/symbol.js';
import type {
  FeedEvent,
  MarketDataSource,
  SourceId,
  TickStream,
} from '../providers/market-data-source.js';
import type { SourceRegistry } from '../providers/source-registry.service.js';
import type { QuotesService } from '../quotes/quotes.service.js';
import type { Feed } from './feed.js';
import { FeedFactory } from './feed-factory.service.js';

const AAPL = parseSymbol('AAPL');

function quoteFrom(source: string, price: number): Quote {
  return {
    symbol: 'AAPL',
    assetClass: 'equity',
    currency: 'USD',
    exchange: null,
    price,
    change: null,
    changePercent: null,
    previousClose: null,
    open: null,
    high: null,
    low: null,
    volume: null,
    bid: null,
    ask: null,
    session: 'regular',
    asOf: 1_000,
    source,
    stale: false,
    delayed: 0,
  };
}

class FakeStream implements TickStream {
  readonly ticks = new Subject<Tick>();
  readonly events = new Subject<FeedEvent>();
  readonly subscribed: string[] = [];

  subscribe(instruments: readonly Instrument[]): void {
    this.subscribed.push(...instruments.map((instrument) => instrument.symbol));
  }

  unsubscribe(): void {}

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Builds a streaming source; an embedded one quotes only the symbols it is given. */
function streamingSource(
  id: SourceId,
  kind: 'embedded' | 'upstream',
  symbols: string[] = [],
): MarketDataSource & { stream: FakeStream } {
  return {
    id,
    name: id,
    kind,
    capabilities: new Set(['quote', 'stream']),
    stream: new FakeStream(),
    getQuote: (instrument) =>
      symbols.includes(instrument.symbol)
        ? Promise.resolve(quoteFrom(id, 150))
        : Promise.reject(new SymbolNotFoundError(instrument.symbol)),
    status: () => ({ state: 'up', detail: 'fake' }),
  };
}

function factory(
  streaming: MarketDataSource[],
  quote: () => Promise<Quote>,
): FeedFactory {
  const registry = { sourcesFor: () => streaming } as unknown as SourceRegistry;
  const quotes = { quote } as unknown as QuotesService;
  const config = {
    streaming: { pollIntervalMs: 60_000 },
  } as unknown as AppConfig;

  return new FeedFactory(registry, quotes, config);
}

describe('FeedFactory', () => {
  const started: Feed[] = [];
  const received: Quote[] = [];
  const statuses: FeedEvent[] = [];
  const listener = {
    quote: (quote: Quote) => received.push(quote),
    status: (event: FeedEvent) => statuses.push(event),
  };

  const start = async (feedFactory: FeedFactory) => {
    const feed = await feedFactory.start(AAPL, listener);
    started.push(feed);
    return feed;
  };

  afterEach(() => {
    for (const feed of started.splice(0)) feed.stop();
    received.length = 0;
    statuses.length = 0;
  });

  it('uses the stream of the source that quoted the symbol', async () => {
    const polygon = streamingSource('polygon', 'upstream');

    const feed = await start(
      factory([polygon], () => Promise.resolve(quoteFrom('polygon', 189))),
    );

    expect(feed.kind).toBe('native:polygon');
    expect(polygon.stream.subscribed).toEqual(['AAPL']);
    expect(received.map((quote) => quote.price)).toEqual([189]);
  });

  it('uses an embedded stream that has the symbol', async () => {
    const polygon = streamingSource('polygon', 'upstream');
    const replay = streamingSource('replay', 'embedded', ['AAPL']);

    const feed = await start(
      factory([polygon, replay], () =>
        Promise.resolve(quoteFrom('alpha_vantage', 189)),
      ),
    );

    expect(feed.kind).toBe('native:replay');
    expect(polygon.stream.subscribed).toEqual([]);
    expect(received.map((quote) => quote.source)).toEqual(['replay']);
  });

  it('follows the order of the stream list', async () => {
    const replay = streamingSource('replay', 'embedded', ['AAPL']);
    const polygon = streamingSource('polygon', 'upstream');

    const feed = await start(
      factory([replay, polygon], () =>
        Promise.resolve(quoteFrom('polygon', 189)),
      ),
    );

    expect(feed.kind).toBe('native:replay');
  });

  it('polls when no stream serves the symbol', async () => {
    const simulated = streamingSource('simulated', 'embedded', ['MSFT']);

    const feed = await start(
      factory([simulated], () => Promise.resolve(quoteFrom('yahoo', 189))),
    );

    expect(feed.kind).toBe('poll');
    expect(simulated.stream.subscribed).toEqual([]);
  });

  it('folds ticks of the symbol into its quote', async () => {
    const polygon = streamingSource('polygon', 'upstream');
    await start(
      factory([polygon], () => Promise.resolve(quoteFrom('polygon', 189))),
    );

    polygon.stream.ticks.next({
      symbol: 'MSFT',
      price: 400,
      time: 2_000,
      source: 'polygon',
    });
    polygon.stream.ticks.next({
      symbol: 'AAPL',
      price: 190,
      time: 3_000,
      source: 'polygon',
    });

    expect(received.map((quote) => [quote.price, quote.asOf])).toEqual([
      [189, 1_000],
      [190, 3_000],
    ]);
  });

  it('marks the last quote stale while the stream is', async () => {
    const polygon = streamingSource('polygon', 'upstream');
    await start(
      factory([polygon], () => Promise.resolve(quoteFrom('polygon', 189))),
    );

    polygon.stream.events.next({
      code: 'feed_stale',
      symbols: ['MSFT', 'AAPL'],
      detail: 'no message for 60 s',
    });
    polygon.stream.events.next({
      code: 'feed_resumed',
      symbols: ['AAPL'],
      detail: 'ticks flow again',
    });

    expect(statuses.map((event) => [event.code, event.symbols])).toEqual([
      ['feed_stale', ['AAPL']],
      ['feed_resumed', ['AAPL']],
    ]);
    expect(received.map((quote) => quote.stale)).toEqual([false, true, false]);
  });
});
