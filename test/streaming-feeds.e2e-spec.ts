import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { NO_CACHE } from './support/app.js';
import { fixture, route, useFakeUpstream } from './support/fake-upstream.js';
import {
  connectIo,
  emitWithAck,
  openWs,
  startStreamingApp,
  type StreamingApp,
  type WsTestClient,
} from './support/streaming.js';
import { describeWithTestData } from './support/test-data.js';

const upstream = useFakeUpstream();

/** Polling interval of these tests, in seconds. */
const POLL_INTERVAL = 0.1;

/** Settings that feed MSFT by polling Alpha Vantage, with no cache in between. */
function pollingEnv(extra: Record<string, string> = {}) {
  return {
    ...NO_CACHE,
    ALPHA_VANTAGE_KEY: 'stream-e2e-key',
    ALPHA_VANTAGE_BASE_URL: upstream().baseUrl,
    ALPHA_VANTAGE_QUOTA_PER_SECOND: '0',
    ALPHA_VANTAGE_QUOTA_PER_DAY: '0',
    UPSTREAM_RETRIES: '0',
    CIRCUIT_BREAKER_COOLDOWN: '0.1',
    QUOTE_PROVIDERS: 'alpha_vantage',
    STREAM_PROVIDERS: 'alpha_vantage',
    STREAM_POLL_INTERVAL: String(POLL_INTERVAL),
    ...extra,
  };
}

function serveQuote() {
  upstream().setRoutes([
    route(
      '/query',
      { function: 'GLOBAL_QUOTE' },
      { body: fixture('alphavantage/global_quote_MSFT.json') },
    ),
  ]);
}

const quoteCalls = () =>
  upstream().calls.filter((call) => call.query.function === 'GLOBAL_QUOTE')
    .length;

async function subscribe(client: WsTestClient, symbols: string[]) {
  client.send({ action: 'subscribe', symbols });
  return client.inbox.next(
    (item) => item.type === 'subscribed',
    'a subscribed message',
  );
}

describeWithTestData('polling feeds', () => {
  let stream: StreamingApp;
  const clients: WsTestClient[] = [];

  beforeAll(async () => {
    stream = await startStreamingApp({
      env: pollingEnv({ STREAM_LINGER: '0' }),
    });
  });

  afterEach(() => {
    for (const client of clients.splice(0)) client.socket.close();
  });

  afterAll(async () => {
    await stream.close();
  });

  it('polls the quote path while subscribed', async () => {
    serveQuote();
    const client = await openWs(stream.wsUrl);
    clients.push(client);

    const reply = await subscribe(client, ['MSFT']);
    const quote = await client.inbox.next(
      (item) => item.type === 'quote',
      'a quote of MSFT',
    );

    expect(reply.subscribed).toEqual(['MSFT']);
    expect(quote).toMatchObject({
      symbol: 'MSFT',
      price: 112.13,
      source: 'alpha_vantage',
      seq: 1,
    });
    expect(stream.feeds.report()).toEqual([
      { symbol: 'MSFT', subscriptions: 1, feed: 'poll' },
    ]);
    await expect.poll(quoteCalls, { timeout: 10_000 }).toBeGreaterThan(5);
  });

  it('stops polling after the last unsubscribe', async () => {
    serveQuote();
    const client = await openWs(stream.wsUrl);
    clients.push(client);
    await subscribe(client, ['MSFT']);
    await expect.poll(quoteCalls, { timeout: 10_000 }).toBeGreaterThan(3);

    client.send({ action: 'unsubscribe', symbols: ['MSFT'] });
    await client.inbox.next(
      (item) => item.type === 'unsubscribed',
      'an unsubscribed message',
    );
    // A read that started before the unsubscribe may still arrive.
    await sleep(POLL_INTERVAL * 3 * 1000);
    const afterStop = quoteCalls();
    await sleep(POLL_INTERVAL * 10 * 1000);

    expect(quoteCalls()).toBe(afterStop);
    expect(stream.feeds.report()).toEqual([]);
  });

  it('runs one feed for subscribers on both transports', async () => {
    serveQuote();
    const ws = await openWs(stream.wsUrl);
    clients.push(ws);
    const io = await connectIo(stream.streamUrl);

    await subscribe(ws, ['MSFT']);
    await emitWithAck(io.socket, 'subscribe', { symbols: ['msft'] });
    const snapshot = await io.inbox.next(
      (item) => item.event === 'quote',
      'the snapshot of MSFT',
    );
    io.socket.close();

    expect(stream.feeds.report()).toEqual([
      { symbol: 'MSFT', subscriptions: 2, feed: 'poll' },
    ]);
    expect(snapshot.data).toMatchObject({ symbol: 'MSFT', seq: 1 });
  });

  it('reports a failing feed as stale, then resumed', async () => {
    serveQuote();
    const client = await openWs(stream.wsUrl);
    clients.push(client);
    await subscribe(client, ['MSFT']);
    await client.inbox.next((item) => item.type === 'quote', 'a quote');

    upstream().setRoutes([
      route(
        '/query',
        { function: 'GLOBAL_QUOTE' },
        { status: 503, body: 'Service Unavailable' },
      ),
    ]);
    const stale = await client.inbox.next(
      (item) => item.type === 'status',
      'a feed_stale status',
    );
    const staleQuote = await client.inbox.next(
      (item) => item.type === 'quote' && item.stale === true,
      'the last quote marked stale',
    );
    serveQuote();
    const resumed = await client.inbox.next(
      (item) => item.type === 'status' && item.code === 'feed_resumed',
      'a feed_resumed status',
    );
    const freshQuote = await client.inbox.next(
      (item) =>
        item.type === 'quote' &&
        item.stale === false &&
        (item.seq as number) > (staleQuote.seq as number),
      'a current quote after the recovery',
    );

    expect(stale).toMatchObject({ code: 'feed_stale', symbols: ['MSFT'] });
    expect(stale.detail).toContain('MSFT');
    expect(staleQuote).toMatchObject({ symbol: 'MSFT', price: 112.13 });
    expect(resumed).toMatchObject({ symbols: ['MSFT'] });
    expect(freshQuote).toMatchObject({ symbol: 'MSFT', price: 112.13 });
  });
});

describeWithTestData('feed linger', () => {
  let stream: StreamingApp;

  beforeAll(async () => {
    stream = await startStreamingApp({
      env: pollingEnv({ STREAM_LINGER: '1' }),
    });
  });

  afterAll(async () => {
    await stream.close();
  });

  it('keeps a feed for STREAM_LINGER, then stops it', async () => {
    serveQuote();
    const client = await openWs(stream.wsUrl);
    await subscribe(client, ['MSFT']);
    await client.inbox.next((item) => item.type === 'quote', 'a quote');

    client.send({ action: 'unsubscribe', symbols: ['MSFT'] });
    await client.inbox.next(
      (item) => item.type === 'unsubscribed',
      'an unsubscribed message',
    );
    const lingering = stream.feeds.report();
    await expect
      .poll(() => stream.feeds.report(), { timeout: 10_000 })
      .toEqual([]);
    const afterStop = quoteCalls();
    await sleep(POLL_INTERVAL * 10 * 1000);
    client.socket.close();

    expect(lingering).toEqual([
      { symbol: 'MSFT', subscriptions: 0, feed: 'poll' },
    ]);
    expect(quoteCalls()).toBe(afterStop);
  });

  it('reuses a lingering feed for a new subscriber', async () => {
    serveQuote();
    const first = await openWs(stream.wsUrl);
    await subscribe(first, ['MSFT']);
    await first.inbox.next((item) => item.type === 'quote', 'a quote');
    first.socket.close();
    await first.closed;
    const second = await openWs(stream.wsUrl);

    await subscribe(second, ['MSFT']);
    const snapshot = await second.inbox.next(
      (item) => item.type === 'quote',
      'the snapshot',
    );
    second.socket.close();

    expect(snapshot.seq).toBe(1);
    expect(stream.feeds.report()).toEqual([
      { symbol: 'MSFT', subscriptions: 1, feed: 'poll' },
    ]);
  });
});
