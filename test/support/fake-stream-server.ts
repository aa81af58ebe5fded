import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';

/** One client connection the fake stream server accepted. */
export interface FakeConnection {
  socket: WebSocket;
  /** Path and query the client connected to. */
  url: string;
  headers: IncomingHttpHeaders;
  /** Text frames the client sent, in order. */
  received: string[];
  send(frame: string): void;
  /** Drops the TCP connection without a close frame. */
  dropAbruptly(): void;
}

export interface FakeStreamServer {
  url: string;
  connections: FakeConnection[];
  /** Runs for each new connection and for each frame it sends. */
  onConnection(handler: (connection: FakeConnection) => void): void;
  onFrame(handler: (connection: FakeConnection, frame: string) => void): void;
  close(): Promise<void>;
}

/**
 * Starts a WebSocket server on 127.0.0.1 that stands in for a market data
 * source's stream: tests script its answers per connection and frame.
 */
export async function startFakeStreamServer(): Promise<FakeStreamServer> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) =>
    server.once('listening', () => resolve()),
  );
  const connections: FakeConnection[] = [];
  let connectionHandler: ((connection: FakeConnection) => void) | undefined;
  let frameHandler:
    ((connection: FakeConnection, frame: string) => void) | undefined;

  server.on('connection', (socket, request) => {
    const connection: FakeConnection = {
      socket,
      url: request.url ?? '/',
      headers: request.headers,
      received: [],
      send: (frame) => {
        if (socket.readyState === WebSocket.OPEN) socket.send(frame);
      },
      dropAbruptly: () => socket.terminate(),
    };
    connections.push(connection);
    socket.on('message', (data: Buffer) => {
      const frame = data.toString('utf8');
      connection.received.push(frame);
      frameHandler?.(connection, frame);
    });
    connectionHandler?.(connection);
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `ws://127.0.0.1:${port}`,
    connections,
    onConnection: (handler) => {
      connectionHandler = handler;
    },
    onFrame: (handler) => {
      frameHandler = handler;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  };
}

/** Waits until `condition` holds, polling every 10 ms, for at most `timeoutMs`. */
export async function waitUntil(
  condition: () => boolean,
  timeoutMs = 3000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
