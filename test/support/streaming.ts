import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Server } from 'socket.io';
import { io, type Socket } from 'socket.io-client';
import { WebSocket, type ClientOptions } from 'ws';
import { FeedManager } from '../../src/streaming/feed-manager.service.js';
import { QuoteGateway } from '../../src/streaming/quote.gateway.js';
import { StreamAuthenticator } from '../../src/streaming/stream-auth.js';
import { StreamServer } from '../../src/streaming/stream-server.service.js';
import { SubscriptionsService } from '../../src/streaming/subscriptions.service.js';
import { bootApp } from './app.js';

/** Maximum wait for one expected message in the streaming tests, in ms. */
export const MESSAGE_WAIT_MS = 10_000;

export interface StreamingApp {
  app: NestFastifyApplication;
  /** http://127.0.0.1:<port> of the REST API. */
  apiUrl: string;
  /** http://127.0.0.1:<port> of the streaming server (Socket.IO). */
  streamUrl: string;
  /** ws://127.0.0.1:<port>/ws. */
  wsUrl: string;
  subscriptions: SubscriptionsService;
  feeds: FeedManager;
  /** The Socket.IO server, to inspect its rooms. */
  io: Server;
  close(): Promise<void>;
}

export interface StreamingAppOptions {
  env?: Record<string, string>;
  /** Replaces the stream token check, for tests of the authentication hook. */
  authenticator?: StreamAuthenticator;
  /** Fixed time in epoch ms for the market calendar and the sources. */
  now?: number;
}

/**
 * Boots the whole application on 127.0.0.1 with streaming on a free port
 * (WS_PORT=0 unless `env` sets it). As in startTestApp, settings come
 * only from `env`, read in an empty working directory.
 */
export async function startStreamingApp(
  options: StreamingAppOptions = {},
): Promise<StreamingApp> {
  const { authenticator } = options;
  const { app, baseUrl: apiUrl } = await bootApp({
    env: options.env,
    now: options.now,
    override: authenticator
      ? (builder) =>
          builder.overrideProvider(StreamAuthenticator).useValue(authenticator)
      : undefined,
  });
  const port = app.get(StreamServer).port();
  if (port === null) throw new Error('the streaming server is not listening');

  return {
    app,
    apiUrl,
    streamUrl: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    subscriptions: app.get(SubscriptionsService),
    feeds: app.get(FeedManager),
    io: socketServer(app),
    close: () => app.close(),
  };
}

function socketServer(app: NestFastifyApplication): Server {
  const server = app.get(QuoteGateway).server;
  if (!server) throw new Error('the Socket.IO gateway has no server');

  return server;
}

/** Messages one test client received, in order, with a way to wait for more. */
export class Inbox<T> {
  readonly items: T[] = [];
  private waiters: (() => void)[] = [];

  push(item: T): void {
    this.items.push(item);
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** Waits until an item matches, and returns the first such item. */
  async next(
    matches: (item: T) => boolean,
    what: string,
    timeoutMs = MESSAGE_WAIT_MS,
  ): Promise<T> {
    return this.until<T>(() => this.items.find(matches), what, timeoutMs);
  }

  /** Waits until `count` items match, and returns them. */
  async count(
    matches: (item: T) => boolean,
    count: number,
    what: string,
    timeoutMs = MESSAGE_WAIT_MS,
  ): Promise<T[]> {
    return this.until<T[]>(
      () => {
        const found = this.items.filter(matches);
        return found.length >= count ? found : undefined;
      },
      what,
      timeoutMs,
    );
  }

  private until<R>(
    check: () => R | undefined,
    what: string,
    timeoutMs: number,
  ): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        reject(
          new Error(
            `timed out after ${timeoutMs} ms waiting for ${what}; received ${this.items.length} messages, last: ${JSON.stringify(this.items.slice(-3))}`,
          ),
        );
      }, timeoutMs);
      const attempt = () => {
        const found = check();
        if (found === undefined) {
          this.waiters.push(attempt);
          return;
        }
        cleanup();
        resolve(found);
      };
      const cleanup = () => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((waiter) => waiter !== attempt);
      };
      attempt();
    });
  }
}

/** A message of the `/ws` endpoint. */
export type WsMessage = Record<string, unknown> & { type: string };

export interface WsTestClient {
  socket: WebSocket;
  inbox: Inbox<WsMessage>;
  /** Sends a string or Buffer as it is, anything else as JSON text. */
  send(message: unknown): void;
  /** Resolves with the close code and reason once the connection closed. */
  closed: Promise<{ code: number; reason: string }>;
}

/** Opens a `/ws` connection and records every JSON message it receives. */
export async function openWs(
  url: string,
  options: ClientOptions = {},
): Promise<WsTestClient> {
  const socket = new WebSocket(url, options);
  const inbox = new Inbox<WsMessage>();
  socket.on('message', (data: Buffer) => {
    inbox.push(JSON.parse(data.toString('utf8')) as WsMessage);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once('close', (code, reason) =>
      resolve({ code, reason: reason.toString('utf8') }),
    ),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  socket.on('error', () => undefined);

  return {
    socket,
    inbox,
    closed,
    send: (message) =>
      socket.send(
        typeof message === 'string' || Buffer.isBuffer(message)
          ? message
          : JSON.stringify(message),
      ),
  };
}

/** One Socket.IO event a test client received. */
export interface IoEvent {
  event: string;
  data: Record<string, unknown>;
}

export interface IoTestClient {
  socket: Socket;
  inbox: Inbox<IoEvent>;
}

/**
 * Connects a Socket.IO client without reconnection, over WebSocket unless
 * `transports` is given, and records every event. Rejects with the
 * `connect_error` when the server rejects the connection.
 */
export async function connectIo(
  url: string,
  options: {
    auth?: Record<string, unknown>;
    transports?: ('websocket' | 'polling')[];
    extraHeaders?: Record<string, string>;
  } = {},
): Promise<IoTestClient> {
  const socket = io(url, {
    transports: options.transports ?? ['websocket'],
    extraHeaders: options.extraHeaders,
    reconnection: false,
    forceNew: true,
    auth: options.auth,
  });
  const inbox = new Inbox<IoEvent>();
  socket.onAny((event: string, data: Record<string, unknown>) =>
    inbox.push({ event, data }),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });

  return { socket, inbox };
}

/** Emits `event` with an acknowledgement and resolves with the reply. */
export function emitWithAck<T = Record<string, unknown>>(
  socket: Socket,
  event: string,
  payload: unknown,
): Promise<T> {
  return socket
    .timeout(MESSAGE_WAIT_MS)
    .emitWithAck(event, payload) as Promise<T>;
}
