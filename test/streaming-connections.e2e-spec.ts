import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  StreamAuthenticator,
  type StreamPrincipal,
} from '../src/streaming/stream-auth.js';
import { StreamError } from '../src/streaming/stream.errors.js';
import {
  connectIo,
  emitWithAck,
  type IoTestClient,
  openWs,
  startStreamingApp,
  type StreamingApp,
  type WsTestClient,
} from './support/streaming.js';

/**
 * Accepts the token `good`, rejects `bad`, fails on `broken` as a faulty
 * check would, and records every token it was shown.
 */
class RecordingAuthenticator extends StreamAuthenticator {
  readonly tokens: (string | null)[] = [];

  authenticate(token: string | null): Promise<StreamPrincipal> {
    this.tokens.push(token);
    if (token === 'bad')
      return Promise.reject(
        new StreamError('UNAUTHORIZED', 'the token is invalid or expired'),
      );
    if (token === 'broken')
      return Promise.reject(new Error('key store unreachable'));

    return Promise.resolve(
      token === null
        ? { anonymous: true }
        : { anonymous: false, subject: token },
    );
  }
}

/** Returns the extensions a WebSocket to Engine.IO, under Socket.IO, negotiates. */
async function engineIoExtensions(streamUrl: string): Promise<string> {
  const url = `${streamUrl.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`;
  const socket = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  socket.close();

  return socket.extensions;
}

/** Resolves with the error of a Socket.IO connection the server rejects. */
async function connectionError(
  url: string,
  options: Parameters<typeof connectIo>[1] = {},
): Promise<Error & { data?: unknown }> {
  try {
    const client = await connectIo(url, options);
    client.socket.close();
  } catch (error) {
    return error as Error & { data?: unknown };
  }
  throw new Error('the connection was accepted');
}

describe('connection limit', () => {
  let stream: StreamingApp;
  const io: IoTestClient[] = [];
  const ws: WsTestClient[] = [];

  beforeAll(async () => {
    stream = await startStreamingApp({ env: { WS_MAX_CONNECTIONS: '2' } });
  });

  afterEach(() => {
    for (const client of io.splice(0)) client.socket.close();
    for (const client of ws.splice(0)) client.socket.close();
  });

  afterAll(async () => {
    await stream.close();
  });

  it('counts both transports and rejects with a reason', async () => {
    io.push(await connectIo(stream.streamUrl));
    ws.push(await openWs(stream.wsUrl));

    const rejected = await connectionError(stream.streamUrl);
    const third = await openWs(stream.wsUrl);
    ws.push(third);
    const closed = await third.closed;

    expect(rejected.data).toMatchObject({ code: 'TOO_MANY_CONNECTIONS' });
    expect(rejected.message).toContain('WS_MAX_CONNECTIONS');
    expect(third.inbox.items[0]).toMatchObject({
      type: 'error',
      code: 'TOO_MANY_CONNECTIONS',
    });
    expect(closed.code).toBe(1013);
    expect(closed.reason).toContain('TOO_MANY_CONNECTIONS');
  });

  it('frees the place of a closed connection', async () => {
    const first = await openWs(stream.wsUrl);
    io.push(await connectIo(stream.streamUrl));
    first.socket.close();
    await first.closed;

    await expect
      .poll(() => stream.subscriptions.connections.count, { timeout: 10_000 })
      .toBe(1);
    const next = await connectIo(stream.streamUrl);
    io.push(next);

    expect(next.socket.connected).toBe(true);
  });
});

describe('authentication hook', () => {
  let stream: StreamingApp;
  const authenticator = new RecordingAuthenticator();

  beforeAll(async () => {
    // The failing token check logs errors that the test expects.
    stream = await startStreamingApp({
      authenticator,
      env: { LOG_LEVEL: 'fatal' },
    });
  });

  afterAll(async () => {
    await stream.close();
  });

  it('passes the Socket.IO handshake token', async () => {
    const client = await connectIo(stream.streamUrl, {
      auth: { token: 'good' },
    });
    client.socket.close();

    expect(authenticator.tokens).toContain('good');
  });

  it('rejects a Socket.IO handshake with a bad token', async () => {
    const rejected = await connectionError(stream.streamUrl, {
      auth: { token: 'bad' },
    });

    expect(rejected.data).toEqual({
      code: 'UNAUTHORIZED',
      detail: 'the token is invalid or expired',
    });
    expect(stream.subscriptions.connections.count).toBe(0);
  });

  it('reads a bearer header in the Socket.IO handshake', async () => {
    const rejected = await connectionError(stream.streamUrl, {
      extraHeaders: { authorization: 'Bearer bad' },
    });

    expect(rejected.data).toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('reads a bearer header on /ws and closes on a rejected one', async () => {
    const client = await openWs(stream.wsUrl, {
      headers: { authorization: 'Bearer bad' },
    });

    const closed = await client.closed;

    expect(client.inbox.items[0]).toMatchObject({
      type: 'error',
      code: 'UNAUTHORIZED',
    });
    expect(closed.code).toBe(1008);
  });

  it('survives a failing token check', async () => {
    const rejected = await connectionError(stream.streamUrl, {
      auth: { token: 'broken' },
    });
    const client = await openWs(stream.wsUrl, {
      headers: { authorization: 'Bearer broken' },
    });
    const closed = await client.closed;

    expect(rejected.data).toMatchObject({ code: 'INTERNAL_ERROR' });
    expect(client.inbox.items[0]).toMatchObject({
      type: 'error',
      code: 'INTERNAL_ERROR',
    });
    expect(closed.code).toBe(1011);
  });

  it('checks the token of a /ws auth message', async () => {
    const client = await openWs(stream.wsUrl);

    client.send({ action: 'auth', token: 'good' });
    const reply = await client.inbox.next(
      (item) => item.type === 'authenticated',
      'an authenticated message',
    );
    client.send({ action: 'auth', token: 'bad' });
    const closed = await client.closed;

    expect(reply).toEqual({ type: 'authenticated', anonymous: false });
    expect(closed.code).toBe(1008);
  });
});

describe('streaming on the API port', () => {
  let stream: StreamingApp;

  beforeAll(async () => {
    stream = await startStreamingApp({ env: { API_PORT: '0', WS_PORT: '0' } });
  });

  afterAll(async () => {
    await stream.close();
  });

  it('serves REST, Socket.IO and /ws on one port', async () => {
    const io = await connectIo(stream.apiUrl);
    const ws = await openWs(stream.apiUrl.replace('http', 'ws') + '/ws');

    const ack = await emitWithAck(io.socket, 'subscribe', {
      symbols: ['AAPL'],
    });
    ws.send({ action: 'ping' });
    const pong = await ws.inbox.next((item) => item.type === 'pong', 'pong');
    const rest = await fetch(`${stream.apiUrl}/api/quotes?symbols=AAPL`);
    io.socket.close();
    ws.socket.close();

    expect(stream.streamUrl).toBe(stream.apiUrl);
    expect(ack).toEqual({ subscribed: ['AAPL'], rejected: [] });
    expect(pong).toEqual({ type: 'pong' });
    expect(rest.status).toBe(200);
  });
});

describe('heartbeat and compression', () => {
  let stream: StreamingApp;

  beforeAll(async () => {
    stream = await startStreamingApp({
      env: { WS_HEARTBEAT_INTERVAL: '0.5', WS_COMPRESSION: 'true' },
    });
  });

  afterAll(async () => {
    await stream.close();
  });

  it('pings /ws clients', async () => {
    const client = await openWs(stream.wsUrl);
    let pings = 0;
    client.socket.on('ping', () => (pings += 1));

    await expect.poll(() => pings, { timeout: 5000 }).toBeGreaterThan(0);
    client.socket.close();
  });

  it('drops a /ws client that does not answer pings', async () => {
    const client = await openWs(stream.wsUrl, { autoPong: false });

    const closed = await client.closed;

    expect(closed.code).toBe(1006);
  });

  it('negotiates per-message deflate when enabled', async () => {
    const client = await openWs(stream.wsUrl);
    client.socket.close();

    expect(client.socket.extensions).toContain('permessage-deflate');
    expect(await engineIoExtensions(stream.streamUrl)).toContain(
      'permessage-deflate',
    );
  });

  it('uses the heartbeat interval for Socket.IO', async () => {
    const client = await connectIo(stream.streamUrl);
    let pings = 0;
    client.socket.io.engine.on('ping', () => (pings += 1));

    // The default interval is 25 s, so two pings within 5 s show the setting.
    await expect.poll(() => pings, { timeout: 5000 }).toBeGreaterThan(1);
    client.socket.close();
  });
});

describe('compression off', () => {
  let stream: StreamingApp;

  beforeAll(async () => {
    stream = await startStreamingApp();
  });

  afterAll(async () => {
    await stream.close();
  });

  it('offers no per-message deflate by default', async () => {
    const client = await openWs(stream.wsUrl);
    client.socket.close();

    expect(client.socket.extensions).toBe('');
    expect(await engineIoExtensions(stream.streamUrl)).toBe('');
  });

  it('rejects a WebSocket upgrade to an unknown path', async () => {
    const upgrade = new WebSocket(stream.wsUrl + 'x');
    const error = await new Promise<Error>((resolve) =>
      upgrade.once('error', resolve),
    );

    expect(error.message).toContain('404');
  });
});

describe('shutdown', () => {
  it('tells clients of both transports it is going away', async () => {
    const stream = await startStreamingApp();
    const io = await connectIo(stream.streamUrl);
    const ws = await openWs(stream.wsUrl);
    await emitWithAck(io.socket, 'subscribe', { symbols: ['AAPL'] });
    const disconnected = new Promise<string>((resolve) =>
      io.socket.once('disconnect', resolve),
    );

    await stream.close();
    const closed = await ws.closed;

    expect(ws.inbox.items.at(-1)).toMatchObject({
      type: 'status',
      code: 'going_away',
    });
    expect(closed.code).toBe(1001);
    expect(
      io.inbox.items.some(
        (item) => item.event === 'status' && item.data.code === 'going_away',
      ),
    ).toBe(true);
    // Not 'io server disconnect', after which a client would not reconnect.
    expect(await disconnected).toBe('transport close');
  });
});

describe('start-up', () => {
  it('fails when WS_PORT is taken', async () => {
    const holder = await startStreamingApp();
    const port = new URL(holder.streamUrl).port;
    try {
      await expect(
        startStreamingApp({ env: { WS_PORT: port } }),
      ).rejects.toThrow(
        `the streaming server cannot listen on 127.0.0.1:${port} (WS_PORT)`,
      );
    } finally {
      await holder.close();
    }
  });
});
