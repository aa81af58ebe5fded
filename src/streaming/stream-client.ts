import type {
  ErrorPayload,
  OutgoingMessage,
  ServerEvent,
  ServerMessages,
  StreamErrorCode,
  StreamQuote,
} from './stream-messages.js';

/** The interface of one connection, on either transport, that the streaming code writes to. */
export interface StreamTransport {
  readonly kind: 'socket.io' | 'ws';
  /** Serializes and queues one message for sending. */
  write(message: OutgoingMessage): void;
  /** Bytes queued for this connection and not yet handed to the OS socket. */
  bufferedBytes(): number;
  /** Closes the connection after telling the client why. */
  close(error: ErrorPayload): void;
}

/** Quotes written to clients and quotes conflated, summed over clients. */
export interface DeliveryCounters {
  sent: number;
  conflated: number;
}

export interface OutboxLimits {
  /** Above this many buffered bytes, quotes are conflated per symbol. */
  maxBufferedBytes: number;
  /** Time a client may stay above the limit before it is disconnected (ms). */
  slowConsumerTimeoutMs: number;
  now?: () => number;
  /** Called when the server closes the connection, with the reason. */
  onClose?: (error: ErrorPayload) => void;
  /** Counters shared by the clients of one server, for metrics. */
  counters?: DeliveryCounters;
}

/** How often a conflating client is checked for room to send, in ms. */
const DRAIN_CHECK_MS = 20;
/**
 * Multiple of the buffer limit at which a client is dropped at once, so that
 * control messages (acknowledgements, errors) sent to a client that never
 * reads cannot grow its buffer without bound either.
 */
const HARD_LIMIT_FACTOR = 4;

/** Requests of one client waiting to be handled, beyond which it is disconnected. */
const MAX_QUEUED_REQUESTS = 100;

let nextClientId = 1;

/**
 * One subscriber connection, on either transport, with its subscriptions and
 * outgoing queue. Quotes go out at once while the connection keeps up. Once
 * more than `maxBufferedBytes` wait, only the latest quote per symbol is kept
 * (conflation), to be sent when the buffer drains. A client that stays above
 * the limit for `slowConsumerTimeoutMs` is disconnected with SLOW_CONSUMER, and
 * so is one whose buffer passes four times the limit. A slow client so takes
 * at most four times the limit plus one quote per symbol.
 */
export class StreamClient {
  readonly id = nextClientId++;
  /** Canonical symbols this client is subscribed to. */
  readonly symbols = new Set<string>();
  /** Quotes replaced by a newer one of the same symbol before being sent. */
  conflated = 0;
  private readonly pending = new Map<string, StreamQuote>();
  /** Symbols that got a live quote since they were subscribed. */
  private readonly live = new Set<string>();
  private stalledSince: number | null = null;
  private drainTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly now: () => number;
  private queue: Promise<void> = Promise.resolve();
  private queued = 0;
  private readonly counters: DeliveryCounters;

  constructor(
    readonly transport: StreamTransport,
    private readonly limits: OutboxLimits,
  ) {
    this.now = limits.now ?? Date.now;
    this.counters = limits.counters ?? { sent: 0, conflated: 0 };
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** True while quotes are held back because the client is not keeping up. */
  get isConflating(): boolean {
    return this.stalledSince !== null;
  }

  /**
   * Runs a request after the client's earlier ones, so that a subscribe and
   * the unsubscribe after it take effect in that order. A client that sends
   * faster than its requests are handled is disconnected with RATE_LIMITED.
   */
  enqueue(task: () => Promise<void>): Promise<void> {
    if (this.queued >= MAX_QUEUED_REQUESTS) {
      this.close(
        'RATE_LIMITED',
        `more than ${MAX_QUEUED_REQUESTS} requests waited to be handled`,
      );
      return Promise.resolve();
    }
    this.queued += 1;
    const run = this.queue.then(task).finally(() => {
      this.queued -= 1;
    });
    this.queue = run.catch(() => undefined);

    return run;
  }

  /** Sends a control message (acknowledgement, status, error) in order. */
  send<E extends ServerEvent>(event: E, data: ServerMessages[E]): void {
    if (this.closed) return;
    this.transport.write({ event, data });
    this.enforceHardLimit();
  }

  /** Sends a live quote, or keeps it as the latest of its symbol while the client is behind. */
  sendQuote(quote: StreamQuote): void {
    if (this.claimQuote(quote))
      this.transport.write({ event: 'quote', data: quote });
  }

  /**
   * Returns true when the caller may write a live quote to this client now.
   * Otherwise keeps the quote as the latest of its symbol, to go out when the
   * client catches up. A quote is let through only while less than the limit
   * (1 KiB at least) is buffered, so one quote of well under 3 KiB cannot
   * take the buffer past the hard limit of four times the limit.
   */
  claimQuote(quote: StreamQuote): boolean {
    if (this.closed || !this.symbols.has(quote.symbol)) return false;
    this.live.add(quote.symbol);
    if (this.pending.size === 0 && this.hasRoom()) {
      this.counters.sent += 1;
      return true;
    }
    if (this.pending.has(quote.symbol)) {
      this.conflated += 1;
      this.counters.conflated += 1;
    }
    this.pending.set(quote.symbol, quote);
    this.startDraining();

    return false;
  }

  /** Sends the latest known quote of a new subscription unless a live one went out already. */
  sendSnapshot(quote: StreamQuote): void {
    if (this.live.has(quote.symbol)) return;
    this.sendQuote(quote);
  }

  /** Forgets a symbol and any quote of it still waiting. */
  drop(symbol: string): void {
    this.symbols.delete(symbol);
    this.live.delete(symbol);
    this.pending.delete(symbol);
  }

  /** Closes the connection with the given reason; later sends are ignored. */
  close(code: StreamErrorCode, detail: string): void {
    if (this.closed) return;
    this.markClosed();
    this.limits.onClose?.({ code, detail });
    this.transport.close({ code, detail });
  }

  /** Stops timers after the connection ended on its own. */
  markClosed(): void {
    this.closed = true;
    this.pending.clear();
    if (this.drainTimer) clearInterval(this.drainTimer);
    this.drainTimer = null;
  }

  private hasRoom(): boolean {
    return this.transport.bufferedBytes() < this.limits.maxBufferedBytes;
  }

  private startDraining(): void {
    this.stalledSince ??= this.now();
    if (this.drainTimer) return;
    this.drainTimer = setInterval(() => this.drain(), DRAIN_CHECK_MS);
    this.drainTimer.unref();
  }

  /** Sends waiting quotes while there is room, or drops a client stuck too long. */
  private drain(): void {
    for (const [symbol, quote] of this.pending) {
      if (!this.hasRoom()) break;
      this.pending.delete(symbol);
      this.transport.write({ event: 'quote', data: quote });
      this.counters.sent += 1;
    }
    if (this.pending.size === 0 && this.hasRoom()) {
      this.stalledSince = null;
      if (this.drainTimer) clearInterval(this.drainTimer);
      this.drainTimer = null;
      return;
    }
    const stalledFor = this.now() - (this.stalledSince ?? this.now());
    if (stalledFor >= this.limits.slowConsumerTimeoutMs) {
      this.close(
        'SLOW_CONSUMER',
        `more than ${this.limits.maxBufferedBytes} bytes waited to be sent for ${Math.round(stalledFor)} ms`,
      );
    }
  }

  private enforceHardLimit(): void {
    const limit = this.limits.maxBufferedBytes * HARD_LIMIT_FACTOR;
    const buffered = this.transport.bufferedBytes();
    if (buffered <= limit) return;
    this.close(
      'SLOW_CONSUMER',
      `${buffered} bytes waited to be sent, more than ${limit}`,
    );
  }
}
