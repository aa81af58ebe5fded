import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import { AppConfig } from '../config/app-config.js';
import { MessageRateLimit } from './message-rate.js';
import { bearerToken, StreamAuthenticator } from './stream-auth.js';
import type { StreamClient } from './stream-client.js';
import { StreamError } from './stream.errors.js';
import { SubscriptionsService } from './subscriptions.service.js';
import { closeOnTokenExpiry } from './token-expiry.js';
import { closeWebSocket, PlainWsTransport } from './transports.js';
import { MAX_FRAME_BYTES, readRequest } from './ws-requests.js';

/** Close code of a server that shuts down (RFC 6455, section 7.4.1). */
const GOING_AWAY = 1001;

/**
 * The plain WebSocket endpoint at `/ws`: JSON requests with an `action`
 * (subscribe, unsubscribe, ping, auth), JSON replies with a `type`. A bad
 * request gets an `error` message and the connection stays open, and so
 * does a message above STREAM_MESSAGE_RATE_LIMIT, which is dropped. When
 * authentication is on, `subscribe` needs an `auth` message (or an
 * `Authorization: Bearer` header) first, which must come within
 * WS_AUTH_TIMEOUT. The connection is closed when the token expires, and a
 * new `auth` message replaces the token. The WebSocket library closes the
 * connection with code 1009 on a frame above MAX_FRAME_BYTES.
 */
@Injectable()
export class WsEndpoint implements BeforeApplicationShutdown {
  private readonly logger = new Logger(WsEndpoint.name);
  private readonly server: WebSocketServer;
  private readonly alive = new WeakMap<WebSocket, boolean>();
  /** Cancels the token-expiry timer of each authenticated connection. */
  private readonly sessions = new WeakMap<StreamClient, () => void>();
  private heartbeat: NodeJS.Timeout | null = null;

  constructor(
    private readonly subscriptions: SubscriptionsService,
    private readonly authenticator: StreamAuthenticator,
    private readonly config: AppConfig,
  ) {
    this.server = new WebSocketServer({
      noServer: true,
      maxPayload: MAX_FRAME_BYTES,
      perMessageDeflate: config.streaming.compression,
    });
  }

  /** Completes the WebSocket handshake of an upgrade request to `/ws`. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.server.handleUpgrade(request, socket, head, (ws) =>
      this.accept(ws, request),
    );
  }

  beforeApplicationShutdown(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    for (const ws of this.server.clients) {
      if (ws.readyState !== WebSocket.OPEN) continue;
      ws.send(
        JSON.stringify({
          type: 'status',
          code: 'going_away',
          detail: 'the server is shutting down; reconnect to continue',
        }),
      );
      closeWebSocket(ws, GOING_AWAY, 'server shutting down');
    }
  }

  private accept(ws: WebSocket, request: IncomingMessage): void {
    // Without a listener, a connection error (a reset, an invalid frame)
    // would be thrown as an uncaught exception.
    ws.on('error', (error) =>
      this.logger.debug(`WebSocket connection failed: ${error.message}`),
    );
    let release: () => void;
    try {
      release = this.subscriptions.connections.acquire();
    } catch (error) {
      const transport = new PlainWsTransport(ws);
      transport.close((error as StreamError).toPayload());
      return;
    }
    const client = this.subscriptions.open(new PlainWsTransport(ws));
    this.alive.set(ws, true);
    ws.on('pong', () => this.alive.set(ws, true));
    ws.once('close', () => {
      release();
      this.sessions.get(client)?.();
      this.subscriptions.closed(client);
    });
    const token = bearerToken(request.headers.authorization);
    if (token !== null)
      void client.enqueue(() => this.authenticate(client, token));
    if (this.authenticator.required) this.requireAuthIn(client, ws);
    const rate = new MessageRateLimit(
      this.config.security.streamMessagesPerSecond,
    );
    ws.on('message', (data, isBinary) => {
      const verdict = rate.take();
      if (verdict !== 'accept') this.subscriptions.messagesRateLimited += 1;
      if (verdict === 'reject') {
        client.send('error', { code: 'RATE_LIMITED', detail: rate.detail });
        return;
      }
      if (verdict === 'disconnect') {
        client.close('RATE_LIMITED', rate.detail);
        return;
      }
      void client.enqueue(() => this.handle(client, data, isBinary));
    });
    this.startHeartbeat();
  }

  private async handle(
    client: StreamClient,
    data: RawData,
    isBinary: boolean,
  ): Promise<void> {
    if (client.isClosed) return;
    try {
      const request = readRequest(data, isBinary);
      switch (request.action) {
        case 'subscribe':
          if (this.authenticator.required && !this.sessions.has(client)) {
            throw new StreamError(
              'UNAUTHORIZED',
              'send {"action":"auth","token":"..."} before subscribing',
            );
          }
          await this.subscriptions.subscribe(client, request, (result) =>
            client.send('subscribed', result),
          );
          return;
        case 'unsubscribe':
          client.send(
            'unsubscribed',
            this.subscriptions.unsubscribe(client, request),
          );
          return;
        case 'ping':
          client.send('pong', {});
          return;
        case 'auth':
          await this.authenticate(client, request.token);
          return;
      }
    } catch (error) {
      this.reportError(client, error);
    }
  }

  /**
   * Disconnects a client that has not authenticated within WS_AUTH_TIMEOUT,
   * so that connections without a token cannot hold every connection slot.
   */
  private requireAuthIn(client: StreamClient, ws: WebSocket): void {
    const timer = setTimeout(() => {
      if (this.sessions.has(client)) return;
      client.close(
        'UNAUTHORIZED',
        `no token within ${this.config.streaming.authTimeoutMs / 1000} s of connecting; send {"action":"auth","token":"..."} first`,
      );
    }, this.config.streaming.authTimeoutMs);
    timer.unref();
    ws.once('close', () => clearTimeout(timer));
  }

  /** Checks a token, and closes the connection instead of throwing when the check fails. */
  private async authenticate(
    client: StreamClient,
    token: string | null,
  ): Promise<void> {
    try {
      const principal = await this.authenticator.authenticate(token);
      this.sessions.get(client)?.();
      this.sessions.set(
        client,
        closeOnTokenExpiry(
          client,
          principal,
          this.config.security.jwt.clockToleranceMs,
        ),
      );
      client.send('authenticated', { anonymous: principal.anonymous });
    } catch (error) {
      if (error instanceof StreamError) {
        client.close(error.code, error.detail);
        return;
      }
      this.logger.error(
        `Token check of WebSocket client ${client.id} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      client.close('INTERNAL_ERROR', 'the token could not be checked');
    }
  }

  private reportError(client: StreamClient, error: unknown): void {
    if (error instanceof StreamError) {
      client.send('error', error.toPayload());
      return;
    }
    this.logger.error(
      `Request of WebSocket client ${client.id} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    client.send('error', {
      code: 'INTERNAL_ERROR',
      detail: 'the request failed unexpectedly; see the server log',
    });
  }

  /** Pings every client each WS_HEARTBEAT_INTERVAL and cuts those that sent no pong for the last ping. */
  private startHeartbeat(): void {
    if (this.heartbeat) return;
    this.heartbeat = setInterval(() => {
      for (const ws of this.server.clients) {
        if (!this.alive.get(ws)) {
          ws.terminate();
          continue;
        }
        this.alive.set(ws, false);
        ws.ping();
      }
    }, this.config.streaming.heartbeatMs);
    this.heartbeat.unref();
  }
}
