import type { Quote } from '../market/quote.js';

/**
 * Codes of `error` messages and of rejected symbols. INVALID_PARAMETER,
 * SYMBOL_NOT_FOUND, DATA_NOT_AVAILABLE and UNAUTHORIZED mean what they mean
 * in the REST API.
 */
export const STREAM_ERROR_CODES = [
  'INVALID_MESSAGE',
  'UNKNOWN_ACTION',
  'MESSAGE_TOO_LARGE',
  'INVALID_PARAMETER',
  'SYMBOL_NOT_FOUND',
  'DATA_NOT_AVAILABLE',
  'TOO_MANY_SYMBOLS',
  'TOO_MANY_CONNECTIONS',
  'UNAUTHORIZED',
  'SLOW_CONSUMER',
  'RATE_LIMITED',
  'INTERNAL_ERROR',
] as const;

export type StreamErrorCode = (typeof STREAM_ERROR_CODES)[number];

/** A quote as streamed: the REST Quote with ISO times and its feed sequence number. */
export type StreamQuote = Omit<Quote, 'asOf'> & { asOf: string; seq: number };

export interface RejectedSymbol {
  symbol: string;
  code: StreamErrorCode;
  detail: string;
}

/**
 * Payload of `subscribed` and `unsubscribed`, and of the Socket.IO
 * acknowledgement. After a subscribe, `subscribed` lists the request's
 * symbols now subscribed; after an unsubscribe, `unsubscribed` lists those
 * removed and `subscribed` those that remain.
 */
export interface SubscriptionResult {
  subscribed: string[];
  unsubscribed?: string[];
  rejected: RejectedSymbol[];
}

export type StatusCode =
  'feed_stale' | 'feed_resumed' | 'going_away' | 'token_expired';

export interface StatusPayload {
  code: StatusCode;
  symbols?: string[];
  detail: string;
}

export interface ErrorPayload {
  code: StreamErrorCode;
  detail: string;
}

/** Every message the server sends, by its Socket.IO event name. */
export interface ServerMessages {
  subscribed: SubscriptionResult;
  unsubscribed: SubscriptionResult;
  quote: StreamQuote;
  status: StatusPayload;
  error: ErrorPayload;
  pong: Record<string, never>;
  authenticated: { anonymous: boolean };
}

export type ServerEvent = keyof ServerMessages;

/** One outgoing message: a Socket.IO event, or a `/ws` object with `type`. */
export interface OutgoingMessage<E extends ServerEvent = ServerEvent> {
  event: E;
  data: ServerMessages[E];
}

/** Converts a quote to its streamed form. */
export function toStreamQuote(quote: Quote, seq: number): StreamQuote {
  return { ...quote, asOf: new Date(quote.asOf).toISOString(), seq };
}
