import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { fakeLogger } from '../../../test/support/fake-logger.js';
import type { Tick } from '../../market/quote.js';
import { parseSymbol, type Instrument } from '../../market/symbol.js';
import type { FeedEvent } from '../market-data-source.js';
import {
  RoutedTickStream,
  type ConnectionStream,
} from './routed-tick-stream.js';
import type { StreamState } from './upstream-stream.client.js';

/** A connection stand-in that records the calls it receives. */
class RecordingStream implements ConnectionStream {
  readonly ticks = new Subject<Tick>();
  readonly events = new Subject<FeedEvent>();
  readonly subscribed: string[][] = [];
  readonly unsubscribed: string[][] = [];
  closes = 0;

  constructor(private readonly reported: StreamState) {}

  subscribe(instruments: readonly Instrument[]): void {
    this.subscribed.push(instruments.map((instrument) => instrument.symbol));
  }

  unsubscribe(symbols: readonly string[]): void {
    this.unsubscribed.push([...symbols]);
  }

  state(): StreamState {
    return this.reported;
  }

  close(): Promise<void> {
    this.closes += 1;
    this.ticks.complete();
    this.events.complete();

    return Promise.resolve();
  }
}

function connectionState(symbols: number): StreamState {
  return {
    connected: symbols > 0,
    symbols,
    connects: 0,
    ticks: 0,
    malformed: 0,
    lastMessageAt: null,
    lastError: null,
  };
}

function tick(symbol: string, price: number): Tick {
  return { symbol, price, time: 1_710_239_834_402, source: 'alpaca' };
}

function routedStream() {
  const stocks = new RecordingStream(connectionState(1));
  const crypto = new RecordingStream(connectionState(2));
  const logger = fakeLogger();
  const stream = new RoutedTickStream({
    source: 'alpaca',
    logger,
    routes: [
      { name: 'stocks', assetClasses: ['equity'], stream: stocks },
      { name: 'crypto', assetClasses: ['crypto'], stream: crypto },
    ],
  });

  return { stream, stocks, crypto, logger };
}

describe('RoutedTickStream', () => {
  it('routes subscriptions by asset class', () => {
    const { stream, stocks, crypto } = routedStream();
    stream.subscribe([
      parseSymbol('AAPL'),
      parseSymbol('BTC-USD'),
      parseSymbol('MSFT'),
    ]);
    expect(stocks.subscribed).toEqual([['AAPL', 'MSFT']]);
    expect(crypto.subscribed).toEqual([['BTC-USD']]);
  });

  it('leaves a connection untouched without its kind', () => {
    const { stream, stocks, crypto } = routedStream();
    stream.subscribe([parseSymbol('ETH-USD')]);
    expect(stocks.subscribed).toEqual([]);
    expect(crypto.subscribed).toEqual([['ETH-USD']]);
  });

  it('skips an asset class without a route', () => {
    const { stream, stocks, crypto, logger } = routedStream();
    stream.subscribe([parseSymbol('^GSPC')]);
    expect(stocks.subscribed).toEqual([]);
    expect(crypto.subscribed).toEqual([]);
    expect(logger.debug).toHaveBeenCalledWith(
      'alpaca stream does not carry index ^GSPC',
    );
  });

  it('unsubscribes on the subscribing connection', () => {
    const { stream, stocks, crypto } = routedStream();
    stream.subscribe([parseSymbol('AAPL'), parseSymbol('BTC-USD')]);
    stream.unsubscribe(['BTC-USD']);
    expect(crypto.unsubscribed).toEqual([['BTC-USD']]);
    expect(stocks.unsubscribed).toEqual([]);
    stream.unsubscribe(['AAPL']);
    expect(stocks.unsubscribed).toEqual([['AAPL']]);
  });

  it('skips unsubscribing unknown symbols', () => {
    const { stream, stocks, crypto } = routedStream();
    stream.subscribe([parseSymbol('AAPL')]);
    stream.unsubscribe(['TSLA', 'BTC-USD']);
    expect(stocks.unsubscribed).toEqual([]);
    expect(crypto.unsubscribed).toEqual([]);
  });

  it('forgets a symbol once unsubscribed', () => {
    const { stream, stocks } = routedStream();
    stream.subscribe([parseSymbol('AAPL')]);
    stream.unsubscribe(['AAPL']);
    stream.unsubscribe(['AAPL']);
    expect(stocks.unsubscribed).toEqual([['AAPL']]);
  });

  it('merges ticks of every connection', () => {
    const { stream, stocks, crypto } = routedStream();
    const received: Tick[] = [];
    stream.ticks.subscribe((next) => received.push(next));
    stocks.ticks.next(tick('AAPL', 143.42));
    crypto.ticks.next(tick('BTC-USD', 71853.2));
    stocks.ticks.next(tick('AAPL', 143.44));
    expect(received.map((next) => [next.symbol, next.price])).toEqual([
      ['AAPL', 143.42],
      ['BTC-USD', 71853.2],
      ['AAPL', 143.44],
    ]);
  });

  it('merges feed events of every connection', () => {
    const { stream, stocks, crypto } = routedStream();
    const received: FeedEvent[] = [];
    stream.events.subscribe((event) => received.push(event));
    const stale: FeedEvent = {
      code: 'feed_stale',
      symbols: ['BTC-USD'],
      detail: 'alpaca stream disconnected (code 1006); reconnecting.',
    };
    const resumed: FeedEvent = {
      code: 'feed_resumed',
      symbols: ['AAPL'],
      detail: 'alpaca stream delivers again.',
    };
    crypto.events.next(stale);
    stocks.events.next(resumed);
    expect(received).toEqual([stale, resumed]);
  });

  it('reports each connection by route name', () => {
    const { stream } = routedStream();
    expect(stream.state()).toEqual({
      stocks: connectionState(1),
      crypto: connectionState(2),
    });
  });

  it('closes every connection', async () => {
    const { stream, stocks, crypto } = routedStream();
    let ticksComplete = false;
    let eventsComplete = false;
    stream.ticks.subscribe({ complete: () => (ticksComplete = true) });
    stream.events.subscribe({ complete: () => (eventsComplete = true) });
    await stream.close();
    expect(stocks.closes).toBe(1);
    expect(crypto.closes).toBe(1);
    expect(ticksComplete).toBe(true);
    expect(eventsComplete).toBe(true);
  });
});
