import type { Namespace, Socket } from 'socket.io';
import { WebSocket } from 'ws';
import type { StreamTransport } from './stream-client.js';
import type {
  ErrorPayload,
  OutgoingMessage,
  StreamErrorCode,
} from './stream-messages.js';

/** Time a closing connection has to flush its last message before it is cut (ms). */
const CLOSE_GRACE_MS = 1000;
/** RFC 6455 allows at most 123 bytes of close reason. */
const MAX_CLOSE_REASON_BYTES = 123;

/**
 * WebSocket close codes per error code that ends a connection: 1008 (policy
 * violation) and 1009 (message too big) from RFC 6455, section 7.4.1, and
 * 1013 (try again later) from the IANA WebSocket close code registry.
 */
const CLOSE_CODES: Partial<Record<StreamErrorCode, number>> = {
  TOO_MANY_CONNECTIONS: 1013,
  MESSAGE_TOO_LARGE: 1009,
  UNAUTHORIZED: 1008,
  SLOW_CONSUMER: 1008,
  RATE_LIMITED: 1008,
};
const INTERNAL_ERROR_CLOSE = 1011;

/**
 * `/ws` text of each quote, kept while the quote object lives, since every
 * subscriber of a symbol is sent the same object and needs the same text.
 */
const quoteFrames = new WeakMap<object, string>();

/** A Socket.IO connection; messages are events named like the message. */
export class SocketIoTransport implements StreamTransport {
  readonly kind = 'socket.io';

  constructor(readonly socket: Socket) {}

  write({ event, data }: OutgoingMessage): void {
    this.socket.emit(event, data);
  }

  /**
   * Sums the packets that Engine.IO queues while its transport is busy and
   * the bytes that the WebSocket under it has not yet written to the OS socket.
   */
  bufferedBytes(): number {
    const conn = this.socket.conn as unknown as {
      writeBuffer: { data?: string | ArrayBufferLike | ArrayBufferView }[];
      transport: { socket?: { bufferedAmount?: number } };
    };
    let bytes = conn.transport.socket?.bufferedAmount ?? 0;
    for (const packet of conn.writeBuffer) {
      const data = packet.data;
      if (typeof data === 'string') bytes += data.length;
      else if (data) bytes += data.byteLength;
    }

    return bytes;
  }

  close(error: ErrorPayload): void {
    this.socket.emit('error', error);
    this.socket.disconnect(true);
    // Engine.IO waits for its buffer to drain before closing, which a
    // stalled client never lets happen.
    setTimeout(() => this.socket.conn.close(true), CLOSE_GRACE_MS).unref();
  }
}

/**
 * Socket.IO connections that are sent one message together. Socket.IO then
 * encodes the packet and its WebSocket frame once for all of them, where an
 * emit per connection would encode it once per connection.
 */
export class SocketIoGroup {
  private readonly ids: string[] = [];
  private namespace: Namespace | null = null;

  add(transport: SocketIoTransport): void {
    this.namespace ??= transport.socket.nsp;
    this.ids.push(transport.socket.id);
  }

  /** Sends the message to this instance's connections in the group. */
  emit({ event, data }: OutgoingMessage): void {
    if (!this.namespace) return;
    this.namespace.local.to(this.ids).emit(event, data);
  }
}

/** A plain WebSocket connection at /ws; messages are JSON objects with a `type`. */
export class PlainWsTransport implements StreamTransport {
  readonly kind = 'ws';

  constructor(private readonly socket: WebSocket) {}

  write({ event, data }: OutgoingMessage): void {
    if (this.socket.readyState !== WebSocket.OPEN) return;
    this.socket.send(frameOf(event, data));
  }

  bufferedBytes(): number {
    return this.socket.bufferedAmount;
  }

  close(error: ErrorPayload): void {
    this.write({ event: 'error', data: error });
    closeWebSocket(
      this.socket,
      CLOSE_CODES[error.code] ?? INTERNAL_ERROR_CLOSE,
      `${error.code}: ${error.detail}`,
    );
  }
}

function frameOf(event: string, data: object): string {
  if (event !== 'quote') return JSON.stringify({ type: event, ...data });
  let frame = quoteFrames.get(data);
  if (frame === undefined) {
    frame = JSON.stringify({ type: event, ...data });
    quoteFrames.set(data, frame);
  }

  return frame;
}

/** Starts the closing handshake and cuts the connection if the client does not complete it in time. */
export function closeWebSocket(
  socket: WebSocket,
  code: number,
  reason: string,
): void {
  if (socket.readyState === WebSocket.OPEN)
    socket.close(code, truncateUtf8(reason, MAX_CLOSE_REASON_BYTES));
  setTimeout(() => socket.terminate(), CLOSE_GRACE_MS).unref();
}

function truncateUtf8(text: string, maxBytes: number): string {
  let result = text;
  while (Buffer.byteLength(result) > maxBytes) result = result.slice(0, -1);

  return result;
}
