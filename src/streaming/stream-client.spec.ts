import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { StreamTransport } from './stream-client.js';
import { StreamClient } from './stream-client.js';
import type {
  ErrorPayload,
  OutgoingMessage,
  StreamQuote,
} from './stream-messages.js';

/** A transport whose buffered byte count the test sets. */
class FakeTransport implements StreamTransport {
  readonly kind = 'ws';
  readonly written: OutgoingMessage[] = [];
  closedWith: ErrorPayload | null = null;
  buffered = 0;

  write(message: OutgoingMessage): void {
    this.written.push(message);
  }

  bufferedBytes(): number {
    return this.buffered;
  }

  close(error: ErrorPayload): void {
    this.closedWith = error;
  }

  quotes(): [string, number][] {
    return this.written
      .filter((message) => message.event === 'quote')
      .map((message) => {
        const data = message.data as StreamQuote;
        return [data.symbol, data.seq];
      });
  }
}

const LIMITS = { maxBufferedBytes: 1000, slowConsumerTimeoutMs: 5000 };

function quote(symbol: string, seq: number): StreamQuote {
  return {
    symbol,
    assetClass: 'equity',
    currency: 'USD',
    exchange: null,
    price: 100 + seq,
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
    asOf: '2024-03-15T15:00:00.000Z',
    source: 'simulated',
    stale: false,
    delayed: 0,
    seq,
  };
}

describe('StreamClient', () => {
  let transport: FakeTransport;
  let client: StreamClient;

  beforeEach(() => {
    vi.useFakeTimers();
    transport = new FakeTransport();
    client = new StreamClient(transport, LIMITS);
    client.symbols.add('AAPL');
    client.symbols.add('MSFT');
  });

  afterEach(() => {
    client.markClosed();
    vi.useRealTimers();
  });

  it('sends quotes at once while under the limit', () => {
    client.sendQuote(quote('AAPL', 1));
    client.sendQuote(quote('AAPL', 2));

    expect(transport.quotes()).toEqual([
      ['AAPL', 1],
      ['AAPL', 2],
    ]);
    expect(client.isConflating).toBe(false);
  });

  it('ignores quotes of symbols not subscribed', () => {
    client.sendQuote(quote('TSLA', 1));

    expect(transport.written).toEqual([]);
  });

  it('keeps the latest quote per symbol while over the limit', () => {
    transport.buffered = 1000;

    client.sendQuote(quote('AAPL', 1));
    client.sendQuote(quote('MSFT', 1));
    client.sendQuote(quote('AAPL', 2));
    client.sendQuote(quote('AAPL', 3));

    expect(transport.quotes()).toEqual([]);
    expect(client.isConflating).toBe(true);
    expect(client.conflated).toBe(2);
  });

  it('sends the kept quotes once the buffer drains', () => {
    transport.buffered = 1000;
    client.sendQuote(quote('AAPL', 1));
    client.sendQuote(quote('MSFT', 1));
    client.sendQuote(quote('AAPL', 2));

    transport.buffered = 0;
    vi.advanceTimersByTime(100);

    expect(transport.quotes()).toEqual([
      ['AAPL', 2],
      ['MSFT', 1],
    ]);
    expect(client.isConflating).toBe(false);
  });

  it('counts sent and conflated quotes', () => {
    const counters = { sent: 0, conflated: 0 };
    const counted = new StreamClient(transport, { ...LIMITS, counters });
    counted.symbols.add('AAPL');

    counted.sendQuote(quote('AAPL', 1));
    transport.buffered = 1000;
    counted.sendQuote(quote('AAPL', 2));
    counted.sendQuote(quote('AAPL', 3));
    transport.buffered = 0;
    vi.advanceTimersByTime(100);
    counted.markClosed();

    expect(counters.sent).toBe(2);
    expect(counters.conflated).toBe(1);
    expect(transport.quotes()).toEqual([
      ['AAPL', 1],
      ['AAPL', 3],
    ]);
  });

  it('keeps order behind kept quotes', () => {
    transport.buffered = 1000;
    client.sendQuote(quote('AAPL', 1));
    transport.buffered = 0;

    client.sendQuote(quote('AAPL', 2));
    vi.advanceTimersByTime(100);

    expect(transport.quotes()).toEqual([['AAPL', 2]]);
  });

  it('disconnects a client stuck past the timeout', () => {
    transport.buffered = 1000;
    client.sendQuote(quote('AAPL', 1));

    vi.advanceTimersByTime(4900);
    expect(transport.closedWith).toBeNull();
    vi.advanceTimersByTime(200);

    expect(transport.closedWith?.code).toBe('SLOW_CONSUMER');
    expect(transport.closedWith?.detail).toContain('more than 1000 bytes');
    expect(client.isClosed).toBe(true);
  });

  it('disconnects at four times the limit at once', () => {
    transport.buffered = 4001;

    client.send('pong', {});

    expect(transport.closedWith?.code).toBe('SLOW_CONSUMER');
  });

  it('skips a snapshot after a live quote', () => {
    client.sendQuote(quote('AAPL', 5));

    client.sendSnapshot(quote('AAPL', 4));
    client.sendSnapshot(quote('MSFT', 7));

    expect(transport.quotes()).toEqual([
      ['AAPL', 5],
      ['MSFT', 7],
    ]);
  });

  it('drops kept quotes of an unsubscribed symbol', () => {
    transport.buffered = 1000;
    client.sendQuote(quote('AAPL', 1));
    client.drop('AAPL');

    transport.buffered = 0;
    vi.advanceTimersByTime(100);

    expect(transport.quotes()).toEqual([]);
  });

  it('runs requests one after another', async () => {
    const order: string[] = [];
    let finishFirst: (() => void) | undefined;

    const first = client.enqueue(
      () =>
        new Promise<void>((resolve) => {
          order.push('first started');
          finishFirst = () => {
            order.push('first done');
            resolve();
          };
        }),
    );
    const second = client.enqueue(() => {
      order.push('second');
      return Promise.resolve();
    });
    await vi.waitFor(() => expect(order).toEqual(['first started']));
    finishFirst?.();
    await Promise.all([first, second]);

    expect(order).toEqual(['first started', 'first done', 'second']);
  });

  it('disconnects a client with too many queued requests', () => {
    for (let index = 0; index < 101; index += 1)
      void client.enqueue(() => new Promise<void>(() => undefined));

    expect(transport.closedWith?.code).toBe('RATE_LIMITED');
  });
});
