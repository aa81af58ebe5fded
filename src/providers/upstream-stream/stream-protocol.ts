import type { Instrument } from '../../market/symbol.js';

/** A trade or quote update decoded from an upstream frame, in upstream notation. */
export interface UpstreamTick {
  upstreamSymbol: string;
  price: number;
  size?: number;
  bid?: number;
  ask?: number;
  /** Epoch milliseconds of the trade or quote. */
  time: number;
}

/** What one incoming frame means to the connection. */
export type StreamMessage =
  | { kind: 'tick'; tick: UpstreamTick }
  /** Authentication succeeded; subscriptions may be sent. */
  | { kind: 'authenticated' }
  /** The source rejected our credentials; retrying soon will not help. */
  | { kind: 'auth-failed'; detail: string }
  /** A frame to send back, such as the answer to an application-level ping. */
  | { kind: 'reply'; frame: string }
  /** An error the source reported; `fatal` ends the connection (e.g. too many connections). */
  | { kind: 'error'; detail: string; fatal: boolean }
  /** A frame that needs no action: acknowledgements, heartbeats, status. */
  | { kind: 'ignore' }
  /** A frame that could not be read; logged at a bounded rate and skipped. */
  | { kind: 'malformed'; detail: string };

/**
 * How one source's WebSocket feed works: where to connect, how to
 * authenticate, how to (un)subscribe a batch of symbols and how to read
 * frames. The shared client does the rest: one connection per source and
 * key, reconnection, resubscription, stale detection and bounded logging.
 */
export interface StreamProtocol {
  /** Source id, for logs and ticks. */
  readonly source: string;
  /** URL to connect to, including a token where the source wants it there. */
  url(): string;
  /** Handshake headers, for sources that authenticate by header. */
  headers?(): Record<string, string>;
  /** Frame that authenticates after the socket opens; absent when the URL or headers do. */
  authFrame?(): string;
  /** Frames that subscribe to a batch of upstream symbols. */
  subscribeFrames(upstreamSymbols: readonly string[]): string[];
  /** Frames that end the subscriptions of a batch of upstream symbols. */
  unsubscribeFrames(upstreamSymbols: readonly string[]): string[];
  /** Reads one text frame; a frame may carry several messages (batched trades). */
  decode(frame: string): StreamMessage[];
  /** Returns the source's symbol for an instrument, or null when the stream does not carry it. */
  toUpstream(instrument: Instrument): string | null;
  /**
   * Tells whether data is expected at `now`, so silence means a dead
   * connection: always for crypto, during trading hours for equities.
   */
  expectsData(now: number, instruments: readonly Instrument[]): boolean;
}
