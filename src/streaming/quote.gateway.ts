import { BeforeApplicationShutdown, Logger, UseFilters } from '@nestjs/common';
import {
  Ack,
  ConnectedSocket,
  MessageBody,
  OnGatewayConnection,
  OnGatewayDisconnect,
  OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
} from '@nestjs/websockets';
import type { Server, Socket } from 'socket.io';
import { AppConfig } from '../config/app-config.js';
import { MessageRateLimit } from './message-rate.js';
import { QuoteBus } from './quote-bus.service.js';
import {
  bearerToken,
  StreamAuthenticator,
  type StreamPrincipal,
} from './stream-auth.js';
import type { StreamClient } from './stream-client.js';
import { StreamExceptionFilter } from './stream-exception.filter.js';
import type { SubscriptionResult } from './stream-messages.js';
import { StreamError } from './stream.errors.js';
import { SubscriptionsService } from './subscriptions.service.js';
import { closeOnTokenExpiry } from './token-expiry.js';
import { SocketIoTransport } from './transports.js';

const EVENTS = new Set(['subscribe', 'unsubscribe']);

type Acknowledge = ((result: SubscriptionResult) => void) | undefined;

/** Per-connection state in `socket.data`. */
interface SocketState {
  client?: StreamClient;
  principal?: StreamPrincipal;
  cancelExpiry?: () => void;
}

/**
 * Socket.IO side of the stream: clients emit `subscribe` and `unsubscribe`
 * with `{ symbols }` and get the result as the acknowledgement (or as a
 * `subscribed`/`unsubscribed` event when they pass no callback), then
 * `quote`, `status` and `error` events. The handshake is rejected with
 * `connect_error` when WS_MAX_CONNECTIONS is reached or the token is
 * rejected; `err.data` then carries `{ code, detail }`. Events above
 * STREAM_MESSAGE_RATE_LIMIT get a RATE_LIMITED `error` and are dropped, with
 * no acknowledgement; a connection is closed when its token expires.
 */
@WebSocketGateway()
@UseFilters(new StreamExceptionFilter())
export class QuoteGateway
  implements
    OnGatewayInit,
    OnGatewayConnection,
    OnGatewayDisconnect,
    BeforeApplicationShutdown
{
  @WebSocketServer() readonly server: Server | undefined;
  private readonly logger = new Logger(QuoteGateway.name);

  constructor(
    private readonly subscriptions: SubscriptionsService,
    private readonly authenticator: StreamAuthenticator,
    private readonly bus: QuoteBus,
    private readonly config: AppConfig,
  ) {}

  afterInit(server: Server): void {
    server.use((socket, next) => {
      this.admit(socket).then(
        () => next(),
        (error: unknown) => {
          if (!(error instanceof StreamError)) {
            this.logger.error(
              `Handshake of Socket.IO client ${socket.id} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
            );
          }
          next(connectError(error));
        },
      );
    });
    this.bus.attach(server);
  }

  handleConnection(socket: Socket): void {
    const client = this.subscriptions.open(new SocketIoTransport(socket));
    const state = socket.data as SocketState;
    state.client = client;
    if (state.principal) {
      state.cancelExpiry = closeOnTokenExpiry(
        client,
        state.principal,
        this.config.security.jwt.clockToleranceMs,
      );
    }
    const rate = new MessageRateLimit(
      this.config.security.streamMessagesPerSecond,
    );
    socket.use((_packet, next) => {
      const verdict = rate.take();
      if (verdict === 'accept') {
        next();
        return;
      }
      this.subscriptions.messagesRateLimited += 1;
      if (verdict === 'reject')
        client.send('error', { code: 'RATE_LIMITED', detail: rate.detail });
      else client.close('RATE_LIMITED', rate.detail);
    });
    socket.onAny((event: unknown) => {
      if (typeof event === 'string' && EVENTS.has(event)) return;
      client.send('error', {
        code: 'UNKNOWN_ACTION',
        detail: `unknown event ${JSON.stringify(event).slice(0, 40)}; expected subscribe or unsubscribe`,
      });
    });
  }

  handleDisconnect(socket: Socket): void {
    (socket.data as SocketState).cancelExpiry?.();
    const client = clientOf(socket);
    if (client) this.subscriptions.closed(client);
  }

  @SubscribeMessage('subscribe')
  async subscribe(
    @ConnectedSocket() socket: Socket,
    @MessageBody() body: unknown,
    @Ack() ack: Acknowledge,
  ): Promise<void> {
    const client = requireClient(socket);
    await client.enqueue(() =>
      this.subscriptions.subscribe(client, body, (result) => {
        if (typeof ack === 'function') ack(result);
        else client.send('subscribed', result);
      }),
    );
  }

  @SubscribeMessage('unsubscribe')
  async unsubscribe(
    @ConnectedSocket() socket: Socket,
    @MessageBody() body: unknown,
    @Ack() ack: Acknowledge,
  ): Promise<void> {
    const client = requireClient(socket);
    await client.enqueue(() => {
      const result = this.subscriptions.unsubscribe(client, body);
      if (typeof ack === 'function') ack(result);
      else client.send('unsubscribed', result);

      return Promise.resolve();
    });
  }

  beforeApplicationShutdown(): void {
    this.server?.local.emit('status', {
      code: 'going_away',
      detail: 'the server is shutting down; reconnect to continue',
    });
  }

  /**
   * Takes a connection place and checks the token of the handshake
   * (`auth.token`, else an `Authorization: Bearer` header). The place is
   * given back when the connection closes, or at once if the token is
   * rejected.
   */
  private async admit(socket: Socket): Promise<void> {
    const release = this.subscriptions.connections.acquire();
    socket.conn.once('close', release);
    const auth = socket.handshake.auth as { token?: unknown };
    const token =
      typeof auth.token === 'string'
        ? auth.token
        : bearerToken(socket.handshake.headers.authorization);
    try {
      (socket.data as SocketState).principal =
        await this.authenticator.authenticate(token);
    } catch (error) {
      release();
      throw error;
    }
  }
}

function clientOf(socket: Socket): StreamClient | undefined {
  return (socket.data as SocketState).client;
}

function requireClient(socket: Socket): StreamClient {
  const client = clientOf(socket);
  if (!client) throw new Error(`Socket ${socket.id} has no stream client`);

  return client;
}

/** Builds the error Socket.IO sends as `connect_error`, with `{ code, detail }` as its data. */
function connectError(error: unknown): Error {
  const payload =
    error instanceof StreamError
      ? error.toPayload()
      : {
          code: 'INTERNAL_ERROR',
          detail: 'the connection could not be set up',
        };
  const connectionError = new Error(payload.detail) as Error & {
    data?: unknown;
  };
  connectionError.data = payload;

  return connectionError;
}
