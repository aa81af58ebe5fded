import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeLogger } from '../../../test/support/fake-logger.js';
import {
  startFakeStreamServer,
  waitUntil,
  type FakeConnection,
  type FakeStreamServer,
} from '../../../test/support/fake-stream-server.js';
import { startRejectingStreamServer } from '../../../test/support/rejecting-stream-server.js';
import type { Tick } from '../../market/quote.js';
import { parseSymbol, type Instrument } from '../../market/symbol.js';
import type { FeedEvent } from '../market-data-source.js';
import type { StreamMessage, StreamProtocol } from './stream-protocol.js';
import { UpstreamStreamClient } from './upstream-stream.client.js';

/**
 * A small protocol for these tests: JSON frames, an auth message, and
 * batches of trades as `{"type":"t","data":[{"s","p","t"}]}`.
 */
function toyProtocol(
  url: string,
  options: { auth?: boolean; expectsData?: boolean } = {},
): StreamProtocol {
  return {
    source: 'toy',
    url: () => `${url}/feed`,
    authFrame:
      options.auth === false
        ? undefined
        : () => JSON.stringify({ action: 'auth', key: 'secret-key' }),
    subscribeFrames: (symbols) => [
      JSON.stringify({ action: 'subscribe', symbols }),
    ],
    unsubscribeFrames: (symbols) => [
      JSON.stringify({ action: 'unsubscribe', symbols }),
    ],
    toUpstream: (instrument: Instrument) =>
      instrument.symbol === 'NOPE' ? null : instrument.symbol,
    expectsData: () => options.expectsData ?? true,
    decode: (frame): StreamMessage[] => {
      const message = JSON.parse(frame) as {
        type: string;
        ok?: boolean;
        data?: { s: string; p: number; t: number }[];
        detail?: string;
      };
      switch (message.type) {
        case 'auth':
          return [
            message.ok
              ? { kind: 'authenticated' }
              : { kind: 'auth-failed', detail: 'bad key' },
          ];
        case 't':
          return (message.data ?? []).map((trade) => ({
            kind: 'tick',
            tick: { upstreamSymbol: trade.s, price: trade.p, time: trade.t },
          }));
        case 'ping':
          return [{ kind: 'reply', frame: '{"action":"pong"}' }];
        case 'error':
          return [
            { kind: 'error', detail: message.detail ?? 'error', fatal: true },
          ];
        default:
          return [
            { kind: 'malformed', detail: `unknown type ${message.type}` },
          ];
      }
    },
  };
}

const trade = (symbol: string, price: number, padding = '') =>
  JSON.stringify({
    type: 't',
    data: [{ s: symbol, p: price, t: 1_700_000_000_000 }],
    ...(padding ? { padding } : {}),
  });
const framesOf = (connection: FakeConnection | undefined, action: string) =>
  (connection?.received ?? [])
    .map((frame) => JSON.parse(frame) as { action: string; symbols?: string[] })
    .filter((frame) => frame.action === action);

let server: FakeStreamServer;
let client: UpstreamStreamClient | undefined;
let ticks: Tick[];
let events: FeedEvent[];
let logger: ReturnType<typeof fakeLogger>;

beforeEach(async () => {
  server = await startFakeStreamServer();
  ticks = [];
  events = [];
  logger = fakeLogger();
});

afterEach(async () => {
  await client?.close();
  client = undefined;
  await server.close();
});

function start(
  options: {
    auth?: boolean;
    expectsData?: boolean;
    staleAfterMs?: number;
    url?: string;
  } = {},
): UpstreamStreamClient {
  client = new UpstreamStreamClient({
    protocol: toyProtocol(options.url ?? server.url, options),
    logger,
    staleAfterMs: options.staleAfterMs ?? 60_000,
    reconnectMaxDelayMs: 200,
    batchDelayMs: 20,
    idleCloseMs: 100,
  });
  client.ticks.subscribe((tick) => ticks.push(tick));
  client.events.subscribe((event) => events.push(event));

  return client;
}

function acceptAuth(): void {
  server.onFrame((connection, frame) => {
    if (frame.includes('"auth"')) connection.send('{"type":"auth","ok":true}');
  });
}

describe('UpstreamStreamClient connection', () => {
  it('authenticates before subscribing', async () => {
    acceptAuth();
    start().subscribe([parseSymbol('AAPL')]);
    await waitUntil(
      () => framesOf(server.connections[0], 'subscribe').length === 1,
    );
    const received = server.connections[0]?.received.map(
      (frame) => (JSON.parse(frame) as { action: string }).action,
    );
    expect(received).toEqual(['auth', 'subscribe']);
  });

  it('sends one batch for quick changes', async () => {
    acceptAuth();
    const stream = start();
    stream.subscribe([parseSymbol('AAPL')]);
    stream.subscribe([parseSymbol('MSFT'), parseSymbol('BRK.B')]);
    await waitUntil(
      () => framesOf(server.connections[0], 'subscribe').length > 0,
    );
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(framesOf(server.connections[0], 'subscribe')).toEqual([
      { action: 'subscribe', symbols: ['AAPL', 'MSFT', 'BRK.B'] },
    ]);
  });

  it('keeps one connection for every symbol', async () => {
    acceptAuth();
    const stream = start();
    stream.subscribe([parseSymbol('AAPL')]);
    await waitUntil(() => stream.state().connected);
    stream.subscribe([parseSymbol('MSFT')]);
    await waitUntil(() => stream.symbols().length === 2);
    expect(server.connections).toHaveLength(1);
  });

  it('emits ticks under canonical symbols', async () => {
    acceptAuth();
    start().subscribe([parseSymbol('BRK-B')]);
    await waitUntil(
      () => framesOf(server.connections[0], 'subscribe').length === 1,
    );
    server.connections[0]?.send(trade('BRK.B', 412.5));
    await waitUntil(() => ticks.length === 1);
    expect(ticks[0]).toEqual({
      symbol: 'BRK.B',
      price: 412.5,
      time: 1_700_000_000_000,
      source: 'toy',
      size: undefined,
      bid: undefined,
      ask: undefined,
    });
  });

  it('answers the source ping', async () => {
    acceptAuth();
    start().subscribe([parseSymbol('AAPL')]);
    await waitUntil(
      () => framesOf(server.connections[0], 'subscribe').length === 1,
    );
    server.connections[0]?.send('{"type":"ping"}');
    await waitUntil(() => framesOf(server.connections[0], 'pong').length === 1);
    expect(framesOf(server.connections[0], 'pong')).toHaveLength(1);
  });

  it('skips symbols the stream lacks', async () => {
    acceptAuth();
    const stream = start();
    stream.subscribe([parseSymbol('NOPE'), parseSymbol('AAPL')]);
    await waitUntil(
      () => framesOf(server.connections[0], 'subscribe').length === 1,
    );
    expect(framesOf(server.connections[0], 'subscribe')[0]?.symbols).toEqual([
      'AAPL',
    ]);
  });

  it('closes an unused connection', async () => {
    acceptAuth();
    const stream = start();
    stream.subscribe([parseSymbol('AAPL')]);
    await waitUntil(() => stream.state().connected);
    stream.unsubscribe(['AAPL']);
    await waitUntil(
      () =>
        server.connections[0]?.socket.readyState ===
        server.connections[0]?.socket.CLOSED,
    );
    expect(framesOf(server.connections[0], 'unsubscribe')).toEqual([
      { action: 'unsubscribe', symbols: ['AAPL'] },
    ]);
  });
});

describe('UpstreamStreamClient failures', () => {
  it('backs off after an authentication failure', async () => {
    server.onFrame((connection, frame) => {
      if (frame.includes('"auth"'))
        connection.send('{"type":"auth","ok":false}');
    });
    const stream = start();
    stream.subscribe([parseSymbol('AAPL')]);
    await waitUntil(() => server.connections.length >= 2);
    expect(
      server.connections.every(
        (connection) => framesOf(connection, 'subscribe').length === 0,
      ),
    ).toBe(true);
    expect(stream.state().lastError).toContain('authentication failed');
    expect(events.map((event) => event.code)).toEqual(['feed_stale']);
  });

  it('keeps the status of a rejected handshake', async () => {
    const rejecting = await startRejectingStreamServer(
      401,
      '{"error":"Invalid API key."}',
    );
    try {
      const stream = start({ url: rejecting.url, auth: false });
      stream.subscribe([parseSymbol('AAPL')]);
      await waitUntil(() => rejecting.handshakes.length >= 2);
      expect(rejecting.handshakes[0]).toBe('/feed');
      expect(stream.state().connects).toBe(0);
      expect(stream.state().lastError).toBe('handshake answered HTTP 401');
      expect(logger.warn).toHaveBeenCalledWith(
        'toy stream: handshake answered HTTP 401',
      );
    } finally {
      await client?.close();
      client = undefined;
      await rejecting.close();
    }
  });

  it('resubscribes the live symbols after a drop', async () => {
    acceptAuth();
    const stream = start();
    stream.subscribe([
      parseSymbol('AAPL'),
      parseSymbol('MSFT'),
      parseSymbol('TSLA'),
    ]);
    await waitUntil(() => stream.symbols().length === 3);
    stream.unsubscribe(['MSFT']);
    await waitUntil(() => stream.symbols().length === 2);
    server.connections[0]?.dropAbruptly();
    await waitUntil(
      () => framesOf(server.connections[1], 'subscribe').length === 1,
    );
    expect(framesOf(server.connections[1], 'subscribe')[0]?.symbols).toEqual([
      'AAPL',
      'TSLA',
    ]);
    server.connections[1]?.send(trade('AAPL', 190));
    await waitUntil(() => events.length === 2);
    expect(events.map((event) => [event.code, event.symbols])).toEqual([
      ['feed_stale', ['AAPL', 'TSLA']],
      ['feed_resumed', ['AAPL', 'TSLA']],
    ]);
  });

  it('treats silence as a dead connection', async () => {
    acceptAuth();
    const stream = start({ staleAfterMs: 200 });
    stream.subscribe([parseSymbol('BTC-USD')]);
    await waitUntil(() => server.connections.length >= 2, 4000);
    expect(events[0]?.code).toBe('feed_stale');
    expect(events[0]?.detail).toContain('sent nothing');
  });

  it('waits out silence when no data is expected', async () => {
    acceptAuth();
    const stream = start({ staleAfterMs: 100, expectsData: false });
    stream.subscribe([parseSymbol('AAPL')]);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(server.connections).toHaveLength(1);
    expect(events).toEqual([]);
  });

  it('backs off when a second connection is refused', async () => {
    server.onConnection((connection) =>
      connection.send('{"type":"error","detail":"connection limit exceeded"}'),
    );
    const stream = start({ auth: false });
    stream.subscribe([parseSymbol('AAPL')]);
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(stream.state().lastError).toBe('connection limit exceeded');
    // Backoff of 0.5 s, capped at 0.2 s here, with jitter: a handful, not hundreds.
    expect(server.connections.length).toBeLessThan(10);
  });

  it('skips malformed frames and stays up', async () => {
    acceptAuth();
    const stream = start();
    stream.subscribe([parseSymbol('AAPL')]);
    await waitUntil(
      () => framesOf(server.connections[0], 'subscribe').length === 1,
    );
    for (let i = 0; i < 50; i += 1)
      server.connections[0]?.send(i % 2 ? '{"type":"weird"}' : 'not json');
    server.connections[0]?.send(trade('AAPL', 191));
    await waitUntil(() => ticks.length === 1);
    expect(stream.state().malformed).toBe(50);
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(server.connections).toHaveLength(1);
  });
});

/** Runs a full garbage collection, so heap figures show what is still held. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

describe('UpstreamStreamClient throughput', () => {
  it('decodes a burst of 10,000 messages', async () => {
    acceptAuth();
    const stream = start();
    stream.subscribe([parseSymbol('AAPL')]);
    await waitUntil(
      () => framesOf(server.connections[0], 'subscribe').length === 1,
    );
    // Each frame carries 1 KB of padding, so a client that kept the frames
    // would hold about 10 MB more after the burst.
    const padding = 'x'.repeat(1024);
    collectGarbage();
    const heapBefore = process.memoryUsage().heapUsed;
    for (let i = 0; i < 10_000; i += 1)
      server.connections[0]?.send(trade('AAPL', 100 + i, padding));
    await waitUntil(() => ticks.length === 10_000, 20_000);
    const outOfOrder = ticks.filter((tick, i) => tick.price !== 100 + i);
    expect(outOfOrder).toEqual([]);
    expect(stream.state().ticks).toBe(10_000);
    expect(stream.state().malformed).toBe(0);
    ticks.length = 0;
    collectGarbage();
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(
      4 * 1024 * 1024,
    );
  }, 30_000);
});
