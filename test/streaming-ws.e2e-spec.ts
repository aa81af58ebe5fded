import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  openWs,
  startStreamingApp,
  type StreamingApp,
  type WsTestClient,
} from './support/streaming.js';

/** Saturday 2024-03-16, 11:00 in New York: US equities do not trade, crypto does. */
const SATURDAY = Date.parse('2024-03-16T15:00:00Z');

/** Sends a request and waits for the next message of the given type. */
async function request(client: WsTestClient, message: unknown, type: string) {
  const before = client.inbox.items.length;
  client.send(message);

  return client.inbox.next(
    (item) => item.type === type && client.inbox.items.indexOf(item) >= before,
    `a ${type} message`,
  );
}

describe('plain WebSocket streaming at /ws', () => {
  let stream: StreamingApp;
  const clients: WsTestClient[] = [];

  const open = async () => {
    const client = await openWs(stream.wsUrl);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    stream = await startStreamingApp({
      now: SATURDAY,
      env: {
        SIMULATED_SYMBOLS: 'AAPL,MSFT,BTC-USD,ETH-USD',
        WS_MAX_SYMBOLS_PER_CONNECTION: '2',
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

  it('subscribes, streams and unsubscribes', async () => {
    const client = await open();

    const subscribed = await request(
      client,
      { action: 'subscribe', symbols: ['btc-usd', 'bad symbol'] },
      'subscribed',
    );
    const quote = await client.inbox.next(
      (item) => item.type === 'quote',
      'a quote',
    );
    const unsubscribed = await request(
      client,
      { action: 'unsubscribe', symbols: ['BTC-USD'] },
      'unsubscribed',
    );

    expect(subscribed.subscribed).toEqual(['BTC-USD']);
    expect(subscribed.rejected).toEqual([
      expect.objectContaining({
        symbol: 'bad symbol',
        code: 'INVALID_PARAMETER',
      }),
    ]);
    expect(quote).toMatchObject({ symbol: 'BTC-USD', source: 'simulated' });
    expect(quote.seq).toBeTypeOf('number');
    expect(unsubscribed).toEqual({
      type: 'unsubscribed',
      subscribed: [],
      unsubscribed: ['BTC-USD'],
      rejected: [],
    });
    expect(client.inbox.items.indexOf(subscribed)).toBeLessThan(
      client.inbox.items.indexOf(quote),
    );
  });

  it('answers ping with pong', async () => {
    const client = await open();

    expect(await request(client, { action: 'ping' }, 'pong')).toEqual({
      type: 'pong',
    });
  });

  it('treats auth message as anonymous', async () => {
    const client = await open();

    const reply = await request(
      client,
      { action: 'auth', token: 'any' },
      'authenticated',
    );

    expect(reply).toEqual({ type: 'authenticated', anonymous: true });
  });

  it.each([
    [
      'malformed JSON',
      '{"action": "subscribe", ',
      'INVALID_MESSAGE',
      'not valid JSON',
    ],
    ['a JSON array', '["subscribe"]', 'INVALID_MESSAGE', '"action" field'],
    [
      'a missing action',
      '{"symbols": ["AAPL"]}',
      'UNKNOWN_ACTION',
      'missing action',
    ],
    [
      'an unknown action',
      '{"action": "dance"}',
      'UNKNOWN_ACTION',
      'unknown action "dance"',
    ],
    [
      'symbols that are not a list',
      '{"action": "subscribe", "symbols": "AAPL"}',
      'INVALID_MESSAGE',
      '{"symbols"',
    ],
  ])('reports %s and stays open', async (_case, frame, code, detail) => {
    const client = await open();

    const error = await request(client, frame, 'error');

    expect(error.code).toBe(code);
    expect(error.detail).toContain(detail);
    expect(await request(client, { action: 'ping' }, 'pong')).toBeDefined();
  });

  it('reports binary frames', async () => {
    const client = await open();

    const error = await request(
      client,
      Buffer.from('{"action":"ping"}'),
      'error',
    );

    expect(error.code).toBe('INVALID_MESSAGE');
    expect(error.detail).toContain('binary');
    expect(client.socket.readyState).toBe(WebSocket.OPEN);
  });

  it('reports messages above 64 KiB', async () => {
    const client = await open();
    const frame = JSON.stringify({
      action: 'subscribe',
      symbols: ['A'.repeat(70_000)],
    });

    const error = await request(client, frame, 'error');

    expect(error.code).toBe('MESSAGE_TOO_LARGE');
    expect(error.detail).toContain('the limit is 65536');
    expect(await request(client, { action: 'ping' }, 'pong')).toBeDefined();
  });

  it('closes on frames above 256 KiB', async () => {
    const client = await open();

    client.send('x'.repeat(300_000));

    expect((await client.closed).code).toBe(1009);
  });

  it('rejects symbols beyond the limit per connection', async () => {
    const client = await open();

    const reply = await request(
      client,
      { action: 'subscribe', symbols: ['AAPL', 'MSFT', 'ETH-USD'] },
      'subscribed',
    );

    expect(reply.subscribed).toEqual(['AAPL', 'MSFT']);
    expect(reply.rejected).toEqual([
      expect.objectContaining({ symbol: 'ETH-USD', code: 'TOO_MANY_SYMBOLS' }),
    ]);
  });

  it('forgets every subscription of a closed connection', async () => {
    const client = await open();
    await request(
      client,
      { action: 'subscribe', symbols: ['AAPL', 'ETH-USD'] },
      'subscribed',
    );
    expect(stream.subscriptions.report().symbols).toEqual({
      AAPL: 1,
      'ETH-USD': 1,
    });

    client.socket.close();
    await client.closed;

    await expect
      .poll(() => stream.subscriptions.report(), { timeout: 10_000 })
      .toEqual({ connections: 0, symbols: {} });
    expect(stream.feeds.report()).toEqual([]);
  });

  it('returns 404 for other paths', async () => {
    const upgrade = new WebSocket(stream.wsUrl.replace(/\/ws$/, '/other'));
    const error = await new Promise<Error>((resolve) =>
      upgrade.once('error', resolve),
    );
    const response = await fetch(stream.streamUrl + '/api/quotes');

    expect(error.message).toContain('404');
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('survives clients that reset an upgrade', async () => {
    const port = Number(new URL(stream.streamUrl).port);
    const paths = ['/other', '/ws', '/socket.io/?EIO=4&transport=websocket'];

    for (let attempt = 0; attempt < 30; attempt += 1) {
      const socket = connect(port, '127.0.0.1');
      socket.on('error', () => undefined);
      await new Promise((resolve) => socket.once('connect', resolve));
      socket.write(
        `GET ${paths[attempt % paths.length]} HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
          'Connection: Upgrade\r\nUpgrade: websocket\r\n' +
          'Sec-WebSocket-Version: 13\r\n' +
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
      );
      // Resetting at slightly different moments hits the server mid-reply.
      await sleep(attempt % 3);
      socket.resetAndDestroy();
    }
    const client = await open();

    // An uncaught ECONNRESET would have failed the run before this.
    expect(await request(client, { action: 'ping' }, 'pong')).toEqual({
      type: 'pong',
    });
  });
});
