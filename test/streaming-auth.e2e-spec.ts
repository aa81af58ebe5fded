import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  connectIo,
  emitWithAck,
  type IoTestClient,
  openWs,
  startStreamingApp,
  type StreamingApp,
  type WsTestClient,
} from './support/streaming.js';
import { newSecret, signHs256 } from './support/tokens.js';

/** Saturday 2024-03-16, 11:00 in New York: crypto trades, so quotes flow. */
const SATURDAY = Date.parse('2024-03-16T15:00:00Z');
const STREAM_SCOPE = 'stream:subscribe';

interface ConnectError extends Error {
  data?: { code: string; detail: string };
}

describe('streaming with authentication on', () => {
  const secret = newSecret();
  let stream: StreamingApp;
  const ioClients: IoTestClient[] = [];
  const wsClients: WsTestClient[] = [];

  const token = (options: { expiresIn?: number; scope?: string } = {}) =>
    signHs256(secret, { scope: STREAM_SCOPE, ...options });
  const connect = async (auth: Record<string, unknown>) => {
    const client = await connectIo(stream.streamUrl, { auth });
    ioClients.push(client);
    return client;
  };
  const rejection = async (auth: Record<string, unknown>) => {
    try {
      await connect(auth);
    } catch (error) {
      return error as ConnectError;
    }
    throw new Error('the handshake was accepted');
  };
  const openPlain = async () => {
    const client = await openWs(stream.wsUrl);
    wsClients.push(client);
    return client;
  };

  beforeAll(async () => {
    stream = await startStreamingApp({
      now: SATURDAY,
      env: {
        JWT_SECRET: secret,
        // The tests below let tokens run out within seconds.
        JWT_CLOCK_TOLERANCE: '0',
        SIMULATED_SYMBOLS: 'AAPL,BTC-USD',
        STREAM_POLL_INTERVAL: '0.2',
        STREAM_LINGER: '0',
        STREAM_MESSAGE_RATE_LIMIT: '5',
        WS_AUTH_TIMEOUT: '2',
      },
    });
  });

  afterEach(() => {
    for (const client of ioClients.splice(0)) client.socket.close();
    for (const client of wsClients.splice(0)) client.socket.close();
  });

  afterAll(async () => {
    await stream.close();
  });

  it('rejects a Socket.IO handshake without a token', async () => {
    const error = await rejection({});

    expect(error.data?.code).toBe('UNAUTHORIZED');
    expect(error.data?.detail).toContain('token is required');
  });

  it('rejects a token without the stream:subscribe scope', async () => {
    const error = await rejection({
      token: await token({ scope: 'quotes:read' }),
    });

    expect(error.data).toEqual({
      code: 'UNAUTHORIZED',
      detail: 'the token lacks the scope stream:subscribe',
    });
  });

  it('rejects an expired token, saying so', async () => {
    const error = await rejection({ token: await token({ expiresIn: -5 }) });

    expect(error.data?.code).toBe('UNAUTHORIZED');
    expect(error.data?.detail).toContain('expired');
  });

  it('disconnects a subscribed socket when its token expires', async () => {
    const client = await connect({ token: await token({ expiresIn: 3 }) });
    const disconnected = new Promise<string>((resolve) =>
      client.socket.once('disconnect', resolve),
    );
    await emitWithAck(client.socket, 'subscribe', { symbols: ['BTC-USD'] });
    await client.inbox.next(
      (item) => item.event === 'quote',
      'a quote of BTC-USD',
    );

    const status = await client.inbox.next(
      (item) => item.event === 'status',
      'the token_expired status',
    );
    const reason = await disconnected;
    const afterStatus = client.inbox.items.slice(
      client.inbox.items.indexOf(status) + 1,
    );
    // Quotes keep coming every 0.2 s while the connection is open.
    await new Promise((resolve) => setTimeout(resolve, 600));

    expect(status.data).toMatchObject({ code: 'token_expired' });
    expect(afterStatus).toEqual([
      {
        event: 'error',
        data: { code: 'UNAUTHORIZED', detail: 'the token expired' },
      },
    ]);
    expect(reason).toBe('io server disconnect');
    expect(
      client.inbox.items
        .slice(client.inbox.items.indexOf(status) + 1)
        .filter((item) => item.event === 'quote'),
    ).toEqual([]);
    expect(stream.subscriptions.connections.count).toBe(0);
  });

  it('requires an auth message before a /ws subscribe', async () => {
    const client = await openPlain();
    client.send({ action: 'subscribe', symbols: ['BTC-USD'] });

    const error = await client.inbox.next(
      (message) => message.type === 'error',
      'an error for the early subscribe',
    );

    expect(error).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(error.detail).toContain('auth');
  });

  it('disconnects a /ws client that never authenticates', async () => {
    const silent = await openPlain();
    const authenticated = await openPlain();
    authenticated.send({ action: 'auth', token: await token() });
    await authenticated.inbox.next(
      (message) => message.type === 'authenticated',
      'the auth reply',
    );
    const started = Date.now();

    const closed = await silent.closed;

    expect(closed.code).toBe(1008);
    expect(closed.reason).toContain('UNAUTHORIZED');
    expect(Date.now() - started).toBeGreaterThan(1000);
    expect(authenticated.socket.readyState).toBe(authenticated.socket.OPEN);
  });

  it('closes a /ws connection when its token expires', async () => {
    const client = await openPlain();
    client.send({ action: 'auth', token: await token({ expiresIn: 2 }) });
    await client.inbox.next(
      (message) => message.type === 'authenticated',
      'the auth reply',
    );
    client.send({ action: 'subscribe', symbols: ['BTC-USD'] });
    await client.inbox.next(
      (message) => message.type === 'quote',
      'a quote of BTC-USD',
    );

    const closed = await client.closed;

    expect(
      client.inbox.items.find((message) => message.type === 'status'),
    ).toMatchObject({ code: 'token_expired' });
    expect(closed.code).toBe(1008);
    expect(closed.reason).toContain('UNAUTHORIZED');
  });

  it('keeps a /ws connection open when a new token replaces the old', async () => {
    const client = await openPlain();
    client.send({ action: 'auth', token: await token({ expiresIn: 1 }) });
    client.send({ action: 'auth', token: await token({ expiresIn: 60 }) });
    await client.inbox.count(
      (message) => message.type === 'authenticated',
      2,
      'both auth replies',
    );
    await new Promise((resolve) => setTimeout(resolve, 1500));

    expect(client.socket.readyState).toBe(client.socket.OPEN);
    expect(
      client.inbox.items.filter((message) => message.type === 'status'),
    ).toEqual([]);
  });

  it('rate limits /ws messages per connection', async () => {
    const client = await openPlain();
    for (let i = 0; i < 8; i++) client.send({ action: 'ping' });

    const pongs = await client.inbox.count(
      (message) => message.type === 'pong',
      5,
      'five pongs',
    );
    const errors = await client.inbox.count(
      (message) => message.type === 'error',
      3,
      'three rate-limit errors',
    );

    expect(pongs).toHaveLength(5);
    expect(errors.every((message) => message.code === 'RATE_LIMITED')).toBe(
      true,
    );
    expect(client.socket.readyState).toBe(client.socket.OPEN);
  });

  it('rate limits Socket.IO events per connection', async () => {
    const client = await connect({ token: await token() });
    for (let i = 0; i < 8; i++) {
      client.socket.emit('unsubscribe', { symbols: ['BTC-USD'] });
    }

    await client.inbox.count(
      (item) => item.event === 'unsubscribed',
      5,
      'five replies',
    );
    const errors = await client.inbox.count(
      (item) => item.event === 'error' && item.data.code === 'RATE_LIMITED',
      3,
      'three rate-limit errors',
    );

    expect(errors).toHaveLength(3);
    expect(client.socket.connected).toBe(true);
  });

  it('disconnects a client that keeps sending while limited', async () => {
    const client = await openPlain();
    for (let i = 0; i < 60; i++) client.send({ action: 'ping' });

    const closed = await client.closed;

    expect(closed.code).toBe(1008);
    expect(closed.reason).toContain('RATE_LIMITED');
  });
});
