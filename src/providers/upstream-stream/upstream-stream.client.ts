import type { LoggerService } from '@nestjs/common';
import { ExponentialBackoff, type IBackoff } from 'cockatiel';
import { Subject } from 'rxjs';
import { WebSocket, type RawData } from 'ws';
import type { Tick } from '../../market/quote.js';
import type { Instrument } from '../../market/symbol.js';
import type { FeedEvent, TickStream } from '../market-data-source.js';
import { BoundedLog } from './bounded-log.js';
import type { StreamMessage, StreamProtocol } from './stream-protocol.js';

export interface StreamClientOptions {
  protocol: StreamProtocol;
  logger: LoggerService;
  /** Silence, while data is expected, after which the connection counts as dead (ms). */
  staleAfterMs: number;
  /** Longest wait between reconnection attempts (ms). */
  reconnectMaxDelayMs: number;
  now?: () => number;
  /** Time the source has to confirm authentication (ms). */
  authTimeoutMs?: number;
  /** Subscription changes made within this time go out as one batch (ms). */
  batchDelayMs?: number;
  /** Time an unused connection stays open after the last unsubscribe (ms). */
  idleCloseMs?: number;
}

/** Figures for status pages. */
export interface StreamState {
  connected: boolean;
  symbols: number;
  connects: number;
  ticks: number;
  malformed: number;
  lastMessageAt: string | null;
  lastError: string | null;
}

const FIRST_RETRY_MS = 500;
const LOG_INTERVAL_MS = 60_000;

/**
 * One WebSocket connection to a source, shared by every symbol, that turns
 * the source's frames into ticks. It authenticates as the protocol says,
 * batches subscription changes, reconnects with capped exponential backoff
 * and jitter, subscribes again to every symbol still wanted, treats silence
 * while data is expected as a dead connection, reports feeds as stale and
 * resumed, and skips unreadable frames with bounded logging.
 */
export class UpstreamStreamClient implements TickStream {
  readonly ticks = new Subject<Tick>();
  readonly events = new Subject<FeedEvent>();

  private readonly protocol: StreamProtocol;
  private readonly now: () => number;
  private readonly log: BoundedLog;
  /** Upstream symbol → instrument, for every symbol someone wants. */
  private readonly wanted = new Map<string, Instrument>();
  /** Upstream symbols subscribed on the current connection. */
  private readonly live = new Set<string>();
  private socket: WebSocket | null = null;
  private ready = false;
  private closed = false;
  private stale = false;
  private backoff: IBackoff<unknown>;
  private readonly timers = new Set<NodeJS.Timeout>();
  private syncTimer: NodeJS.Timeout | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private watchdog: NodeJS.Timeout | null = null;
  private lastMessageAt = 0;
  private readonly counts = { connects: 0, ticks: 0, malformed: 0 };
  private lastError: string | null = null;

  constructor(private readonly options: StreamClientOptions) {
    this.protocol = options.protocol;
    this.now = options.now ?? Date.now;
    this.log = new BoundedLog(options.logger, LOG_INTERVAL_MS, this.now);
    this.backoff = this.freshBackoff();
  }

  subscribe(instruments: readonly Instrument[]): void {
    for (const instrument of instruments) {
      const upstream = this.protocol.toUpstream(instrument);
      if (upstream === null) {
        this.options.logger.debug?.(
          `${this.protocol.source} stream does not carry ${instrument.symbol}`,
        );
        continue;
      }
      this.wanted.set(upstream, instrument);
    }
    this.cancel(this.idleTimer);
    this.ensureConnected();
    this.scheduleSync();
  }

  unsubscribe(symbols: readonly string[]): void {
    const dropped = new Set(symbols);
    for (const [upstream, instrument] of this.wanted) {
      if (dropped.has(instrument.symbol)) this.wanted.delete(upstream);
    }
    this.scheduleSync();
    if (this.wanted.size === 0) this.scheduleIdleClose();
  }

  /** Canonical symbols with a live subscription on the current connection. */
  symbols(): string[] {
    return [...this.live].flatMap(
      (upstream) => this.wanted.get(upstream)?.symbol ?? [],
    );
  }

  state(): StreamState {
    return {
      connected: this.ready,
      symbols: this.wanted.size,
      ...this.counts,
      lastMessageAt: this.lastMessageAt
        ? new Date(this.lastMessageAt).toISOString()
        : null,
      lastError: this.lastError,
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const timer of [
      ...this.timers,
      this.syncTimer,
      this.idleTimer,
      this.watchdog,
    ])
      this.cancel(timer);
    this.timers.clear();
    const socket = this.socket;
    this.socket = null;
    this.ready = false;
    if (socket && socket.readyState !== WebSocket.CLOSED) {
      await new Promise<void>((resolve) => {
        socket.once('close', () => resolve());
        socket.terminate();
      });
    }
    this.ticks.complete();
    this.events.complete();
  }

  private ensureConnected(): void {
    if (this.closed || this.socket || this.wanted.size === 0) return;
    this.connect();
  }

  private connect(): void {
    const socket = new WebSocket(this.protocol.url(), {
      headers: this.protocol.headers?.(),
      handshakeTimeout: this.options.authTimeoutMs ?? 10_000,
    });
    this.socket = socket;
    this.live.clear();
    socket.on('open', () => this.onOpen(socket));
    socket.on('message', (data: RawData) =>
      this.onFrame(socket, rawText(data)),
    );
    let rejected = false;
    socket.on('unexpected-response', (_request, response) => {
      rejected = true;
      this.fail(
        socket,
        `handshake answered HTTP ${response.statusCode ?? 'unknown'}`,
      );
      socket.terminate();
    });
    socket.on('error', (error: Error) => {
      // After a rejected handshake, terminate() raises an error about the
      // aborted connection, which would hide the HTTP status.
      if (!rejected) this.fail(socket, error.message);
    });
    socket.on('close', (code: number) => this.onClose(socket, code));
  }

  private onOpen(socket: WebSocket): void {
    this.counts.connects += 1;
    this.lastMessageAt = this.now();
    this.startWatchdog();
    const authFrame = this.protocol.authFrame?.();
    if (!authFrame) {
      this.onReady(socket);
      return;
    }
    socket.send(authFrame);
    this.later(() => {
      if (this.socket === socket && !this.ready) {
        this.fail(socket, 'authentication was not confirmed in time');
        socket.terminate();
      }
    }, this.options.authTimeoutMs ?? 10_000);
  }

  private onReady(socket: WebSocket): void {
    if (this.socket !== socket) return;
    this.ready = true;
    this.backoff = this.freshBackoff();
    this.sync();
  }

  private onFrame(socket: WebSocket, frame: string): void {
    if (this.socket !== socket) return;
    this.lastMessageAt = this.now();
    for (const message of this.decode(frame)) this.handle(socket, message);
  }

  private decode(frame: string): StreamMessage[] {
    try {
      return this.protocol.decode(frame);
    } catch (error) {
      return [
        {
          kind: 'malformed',
          detail: error instanceof Error ? error.message : String(error),
        },
      ];
    }
  }

  private handle(socket: WebSocket, message: StreamMessage): void {
    switch (message.kind) {
      case 'tick':
        this.emit(message.tick);
        return;
      case 'authenticated':
        this.onReady(socket);
        return;
      case 'auth-failed':
        this.fail(socket, `authentication failed: ${message.detail}`);
        socket.close();
        return;
      case 'reply':
        socket.send(message.frame);
        return;
      case 'error':
        this.log.warn(
          'error',
          `${this.protocol.source} stream error: ${message.detail}`,
        );
        this.lastError = message.detail;
        if (message.fatal) socket.close();
        return;
      case 'malformed':
        this.counts.malformed += 1;
        this.log.warn(
          'malformed',
          `${this.protocol.source} stream skipped an unreadable frame: ${message.detail}`,
        );
        return;
      case 'ignore':
        return;
    }
  }

  private emit(tick: {
    upstreamSymbol: string;
    price: number;
    size?: number;
    bid?: number;
    ask?: number;
    time: number;
  }): void {
    const instrument = this.wanted.get(tick.upstreamSymbol);
    if (!instrument) return;
    this.counts.ticks += 1;
    if (this.stale) {
      this.stale = false;
      this.events.next({
        code: 'feed_resumed',
        symbols: this.wantedSymbols(),
        detail: `${this.protocol.source} stream delivers again.`,
      });
    }
    this.ticks.next({
      symbol: instrument.symbol,
      price: tick.price,
      size: tick.size,
      bid: tick.bid,
      ask: tick.ask,
      time: tick.time,
      source: this.protocol.source,
    });
  }

  private onClose(socket: WebSocket, code: number): void {
    if (this.socket !== socket) return;
    this.socket = null;
    this.ready = false;
    this.live.clear();
    this.cancel(this.watchdog);
    this.watchdog = null;
    if (this.closed || this.wanted.size === 0) return;
    this.markStale(
      `${this.protocol.source} stream disconnected (code ${code}); reconnecting.`,
    );
    const delay = this.backoff.duration;
    this.backoff = this.backoff.next(undefined);
    this.options.logger.warn(
      `${this.protocol.source} stream closed (code ${code}); reconnecting in ${Math.round(delay)} ms`,
    );
    this.later(() => this.ensureConnected(), delay);
  }

  private fail(socket: WebSocket, detail: string): void {
    if (this.socket !== socket) return;
    this.lastError = detail;
    this.log.warn('connection', `${this.protocol.source} stream: ${detail}`);
  }

  private markStale(detail: string): void {
    if (this.stale) return;
    this.stale = true;
    this.events.next({
      code: 'feed_stale',
      symbols: this.wantedSymbols(),
      detail,
    });
  }

  private startWatchdog(): void {
    this.cancel(this.watchdog);
    const period = Math.max(50, Math.floor(this.options.staleAfterMs / 4));
    this.watchdog = setInterval(() => this.checkSilence(), period).unref();
  }

  /** Ends a connection that stayed silent while data was expected. */
  private checkSilence(): void {
    const socket = this.socket;
    if (!socket || this.wanted.size === 0) return;
    const now = this.now();
    const silent = now - this.lastMessageAt > this.options.staleAfterMs;
    if (!silent || !this.protocol.expectsData(now, [...this.wanted.values()]))
      return;
    this.markStale(
      `${this.protocol.source} stream sent nothing for ${Math.round((now - this.lastMessageAt) / 1000)} s; reconnecting.`,
    );
    this.fail(socket, 'no message within the stale limit');
    socket.terminate();
  }

  private scheduleSync(): void {
    if (this.syncTimer) return;
    this.syncTimer = setTimeout(() => {
      this.syncTimer = null;
      this.sync();
    }, this.options.batchDelayMs ?? 50).unref();
  }

  /** Sends one batch of subscribe and unsubscribe frames for what changed. */
  private sync(): void {
    const socket = this.socket;
    if (!socket || !this.ready || socket.readyState !== WebSocket.OPEN) return;
    const added = [...this.wanted.keys()].filter(
      (upstream) => !this.live.has(upstream),
    );
    const removed = [...this.live].filter(
      (upstream) => !this.wanted.has(upstream),
    );
    if (removed.length > 0)
      for (const frame of this.protocol.unsubscribeFrames(removed))
        socket.send(frame);
    if (added.length > 0)
      for (const frame of this.protocol.subscribeFrames(added))
        socket.send(frame);
    for (const upstream of removed) this.live.delete(upstream);
    for (const upstream of added) this.live.add(upstream);
  }

  private scheduleIdleClose(): void {
    this.cancel(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (this.wanted.size > 0 || !this.socket) return;
      const socket = this.socket;
      this.socket = null;
      this.ready = false;
      this.live.clear();
      socket.close();
    }, this.options.idleCloseMs ?? 10_000).unref();
  }

  private wantedSymbols(): string[] {
    return [...this.wanted.values()].map((instrument) => instrument.symbol);
  }

  private freshBackoff(): IBackoff<unknown> {
    return new ExponentialBackoff({
      initialDelay: FIRST_RETRY_MS,
      maxDelay: this.options.reconnectMaxDelayMs,
    }).next();
  }

  private later(work: () => void, delayMs: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      work();
    }, delayMs).unref();
    this.timers.add(timer);
  }

  private cancel(timer: NodeJS.Timeout | null): void {
    if (timer) clearTimeout(timer);
  }
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');

  return data.toString('utf8');
}
