import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  connectIo,
  emitWithAck,
  type IoTestClient,
  startStreamingApp,
  type StreamingApp,
} from './support/streaming.js';

/** Saturday 2024-03-16, 11:00 in New York: US equities do not trade, crypto does. */
const SATURDAY = Date.parse('2024-03-16T15:00:00Z');

interface Ack {
  subscribed: string[];
  unsubscribed?: string[];
  rejected: { symbol: string; code: string; detail: string }[];
}

describe('Socket.IO streaming', () => {
  let stream: StreamingApp;
  const clients: IoTestClient[] = [];

  const connect = async (auth?: Record<string, unknown>) => {
    const client = await connectIo(stream.streamUrl, { auth });
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    stream = await startStreamingApp({
      now: SATURDAY,
      env: {
        SIMULATED_SYMBOLS: 'AAPL,MSFT,BTC-USD,ETH-USD,EUR-USD',
        WS_MAX_SYMBOLS_PER_CONNECTION: '3',
        STREAM_LINGER: '0',
      },
    });
  });

  afterEach(() => {
    for (const client of clients.splice(0)) client.socket.close();
  });

  afterAll(async () => {
    await stream.close();
  });

  it('acknowledges accepted and rejected symbols', async () => {
    const { socket } = await connect();

    const ack = await emitWithAck<Ack>(socket, 'subscribe', {
      symbols: ['aapl', 'BTC-USD', 'nope!!', 'ZZZZZZ', 'AAPL'],
    });

    expect(ack.subscribed).toEqual(['AAPL', 'BTC-USD']);
    expect(ack.rejected).toHaveLength(2);
    expect(ack.rejected[0]).toMatchObject({
      symbol: 'nope!!',
      code: 'INVALID_PARAMETER',
    });
    expect(ack.rejected[0]?.detail).toContain('not allowed');
    expect(ack.rejected[1]).toMatchObject({
      symbol: 'ZZZZZZ',
      code: 'SYMBOL_NOT_FOUND',
    });
  });

  it('sends normalized quotes with a sequence number', async () => {
    const client = await connect();
    await emitWithAck(client.socket, 'subscribe', { symbols: ['AAPL'] });

    const { data } = await client.inbox.next(
      (item) => item.event === 'quote',
      'a quote of AAPL',
    );

    expect(data).toMatchObject({
      symbol: 'AAPL',
      assetClass: 'equity',
      currency: 'USD',
      source: 'simulated',
      stale: false,
      seq: 1,
    });
    expect(typeof data.price).toBe('number');
    expect(data.asOf).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it('sends a new subscriber the latest quote at once', async () => {
    // MSFT does not trade on a Saturday, so its feed publishes its quote once
    // and no tick follows: the second client can only get it as a snapshot.
    const first = await connect();
    await emitWithAck(first.socket, 'subscribe', { symbols: ['MSFT'] });
    const published = await first.inbox.next(
      (item) => item.event === 'quote',
      'the first quote of MSFT',
    );
    const second = await connect();

    await emitWithAck(second.socket, 'subscribe', { symbols: ['MSFT'] });
    const snapshot = await second.inbox.next(
      (item) => item.event === 'quote',
      'the snapshot of MSFT',
    );

    expect(snapshot.data).toEqual(published.data);
    expect(stream.feeds.report()).toContainEqual({
      symbol: 'MSFT',
      subscriptions: 2,
      feed: 'native:simulated',
    });
  });

  it('keeps sequence numbers consecutive', async () => {
    const client = await connect();
    await emitWithAck(client.socket, 'subscribe', { symbols: ['BTC-USD'] });

    const quotes = await client.inbox.count(
      (item) => item.event === 'quote',
      3,
      'three quotes of BTC-USD',
    );

    const seqs = quotes.map((quote) => quote.data.seq as number);
    expect(seqs[1]).toBe((seqs[0] ?? 0) + 1);
    expect(seqs[2]).toBe((seqs[0] ?? 0) + 2);
  });

  it('unsubscribes and stops the feed', async () => {
    const { socket } = await connect();
    await emitWithAck(socket, 'subscribe', { symbols: ['ETH-USD'] });

    const ack = await emitWithAck<Ack>(socket, 'unsubscribe', {
      symbols: ['eth-usd'],
    });

    expect(ack).toEqual({
      subscribed: [],
      unsubscribed: ['ETH-USD'],
      rejected: [],
    });
    expect(stream.subscriptions.report().symbols['ETH-USD']).toBeUndefined();
    expect(stream.feeds.report().map((feed) => feed.symbol)).not.toContain(
      'ETH-USD',
    );
  });

  it('replies with an event when no acknowledgement is asked for', async () => {
    const client = await connect();

    client.socket.emit('subscribe', { symbols: ['EUR-USD'] });

    const reply = await client.inbox.next(
      (item) => item.event === 'subscribed',
      'a subscribed event',
    );
    expect(reply.data).toEqual({ subscribed: ['EUR-USD'], rejected: [] });
  });

  it('rejects symbols beyond the limit per connection', async () => {
    const { socket } = await connect();
    await emitWithAck(socket, 'subscribe', { symbols: ['AAPL', 'MSFT'] });

    const ack = await emitWithAck<Ack>(socket, 'subscribe', {
      symbols: ['BTC-USD', 'ETH-USD', 'EUR-USD'],
    });

    expect(ack.subscribed).toEqual(['BTC-USD']);
    expect(ack.rejected.map((entry) => entry.code)).toEqual([
      'TOO_MANY_SYMBOLS',
      'TOO_MANY_SYMBOLS',
    ]);
    expect(ack.rejected[0]?.detail).toContain('at most 3 symbols');
  });

  it('answers a malformed payload with an error event', async () => {
    const client = await connect();

    client.socket.emit('subscribe', 'AAPL');

    const error = await client.inbox.next(
      (item) => item.event === 'error',
      'an error event',
    );
    expect(error.data.code).toBe('INVALID_MESSAGE');
    expect(error.data.detail).toContain('{"symbols"');
    expect(client.socket.connected).toBe(true);
  });

  it('answers an unknown event with an error event', async () => {
    const client = await connect();

    client.socket.emit('dance', { symbols: ['AAPL'] });

    const error = await client.inbox.next(
      (item) => item.event === 'error',
      'an error event',
    );
    expect(error.data).toEqual({
      code: 'UNKNOWN_ACTION',
      detail: 'unknown event "dance"; expected subscribe or unsubscribe',
    });
    expect(client.socket.connected).toBe(true);
  });

  it('disconnects a client that sends more than 64 KiB', async () => {
    const client = await connect();
    const disconnected = new Promise<string>((resolve) =>
      client.socket.once('disconnect', resolve),
    );

    client.socket.emit('subscribe', { symbols: ['A'.repeat(70_000)] });

    expect(await disconnected).toBe('transport close');
  });

  it('leaves no subscriptions, rooms or feeds after disconnects', async () => {
    const first = await connect();
    const second = await connect();
    await emitWithAck(first.socket, 'subscribe', {
      symbols: ['AAPL', 'BTC-USD'],
    });
    await emitWithAck(second.socket, 'subscribe', { symbols: ['BTC-USD'] });
    expect(stream.subscriptions.report().connections).toBeGreaterThanOrEqual(2);

    for (const client of clients.splice(0)) client.socket.close();

    await expect
      .poll(() => stream.subscriptions.report(), { timeout: 10_000 })
      .toEqual({ connections: 0, symbols: {} });
    expect(stream.feeds.report()).toEqual([]);
    expect(stream.io.of('/').adapter.rooms.size).toBe(0);
    expect(stream.io.of('/').sockets.size).toBe(0);
  });
});
