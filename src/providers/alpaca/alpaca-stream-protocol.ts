import { z } from 'zod';
import { UsEquityCalendar } from '../../market/exchange-calendar.js';
import type { Instrument } from '../../market/symbol.js';
import type {
  StreamMessage,
  StreamProtocol,
} from '../upstream-stream/stream-protocol.js';
import { toAlpacaSymbol, type AlpacaSymbol } from './alpaca-symbols.js';

/**
 * Alpaca's data streams: stocks at `/v2/iex` or `/v2/sip`, crypto pairs at
 * `/v1beta3/crypto/us`. Both authenticate with an `auth` action carrying key
 * and secret, take `subscribe` and `unsubscribe` actions per channel, and
 * send arrays of messages typed by `T` (`success`, `subscription`, `error`,
 * `t` for trades, `q` for quotes, with RFC 3339 times). Alpaca allows one
 * connection per key and rejects a second with error 406.
 */
const messageSchema = z.object({ T: z.string() }).loose();
const tradeSchema = z.object({
  T: z.literal('t'),
  S: z.string(),
  p: z.number(),
  s: z.number().optional(),
  t: z.string(),
});
const quoteSchema = z.object({
  T: z.literal('q'),
  S: z.string(),
  bp: z.number(),
  ap: z.number(),
  t: z.string(),
});
const controlSchema = z.object({
  msg: z.string().optional(),
  code: z.number().optional(),
});

/** Error codes after which the connection cannot go on. */
const FATAL_CODES = new Set([401, 404, 406, 407, 408]);

/** Channel names in a subscribe or unsubscribe action. */
type Channel = 'trades' | 'quotes';

export interface AlpacaFrameOptions {
  /** Reads quotes (`q`) as ticks; without it they are ignored. */
  quotes?: boolean;
}

export function alpacaStreamProtocol(
  streamUrl: string,
  feed: 'iex' | 'sip',
  key: string,
  secret: string,
): StreamProtocol {
  const calendar = new UsEquityCalendar();

  return {
    ...alpacaSession(key, secret, ['trades']),
    url: () => `${streamUrl}/v2/${feed}`,
    decode: (frame) => decodeAlpacaFrame(frame),
    toUpstream: (instrument) => upstreamSymbol(instrument, 'stocks'),
    expectsData: (now) => calendar.sessionAt(now) === 'regular',
  };
}

/**
 * Alpaca's crypto stream (`/v1beta3/crypto/us`), with pairs written
 * `BTC/USD`. It subscribes to trades and quotes, and reads both as ticks,
 * because a pair may go minutes without a trade while its quote moves.
 * Crypto trades around the clock, so silence always means a dead connection.
 *
 * NOTE: each pair takes a trades and a quotes channel. Alpaca's free plan
 * has capped those channels (30 in its older documentation) and rejects a
 * subscription past the cap with error 405, which is logged.
 */
export function alpacaCryptoStreamProtocol(
  streamUrl: string,
  key: string,
  secret: string,
): StreamProtocol {
  return {
    ...alpacaSession(key, secret, ['trades', 'quotes']),
    url: () => `${streamUrl}/v1beta3/crypto/us`,
    decode: (frame) => decodeAlpacaFrame(frame, { quotes: true }),
    toUpstream: (instrument) => upstreamSymbol(instrument, 'crypto'),
    expectsData: () => true,
  };
}

/** Builds the authentication and subscription frames both streams share. */
function alpacaSession(
  key: string,
  secret: string,
  channels: readonly Channel[],
): Pick<
  StreamProtocol,
  'source' | 'authFrame' | 'subscribeFrames' | 'unsubscribeFrames'
> {
  const action = (name: string, symbols: readonly string[]) => {
    const frame: Record<string, unknown> = { action: name };
    for (const channel of channels) frame[channel] = symbols;

    return JSON.stringify(frame);
  };

  return {
    source: 'alpaca',
    authFrame: () => JSON.stringify({ action: 'auth', key, secret }),
    subscribeFrames: (symbols) => [action('subscribe', symbols)],
    unsubscribeFrames: (symbols) => [action('unsubscribe', symbols)],
  };
}

function upstreamSymbol(
  instrument: Instrument,
  market: AlpacaSymbol['market'],
): string | null {
  const symbol = toAlpacaSymbol(instrument);

  return symbol?.market === market ? symbol.symbol : null;
}

export function decodeAlpacaFrame(
  frame: string,
  options: AlpacaFrameOptions = {},
): StreamMessage[] {
  let json: unknown;
  try {
    json = JSON.parse(frame);
  } catch {
    return [{ kind: 'malformed', detail: 'frame is not JSON' }];
  }
  const messages = z.array(messageSchema).safeParse(json);
  if (!messages.success)
    return [{ kind: 'malformed', detail: 'frame is not an array of messages' }];

  return messages.data.map((message) => readMessage(message, options));
}

function readMessage(
  message: { T: string },
  options: AlpacaFrameOptions,
): StreamMessage {
  const control = controlSchema.safeParse(message);
  const text = control.success ? (control.data.msg ?? message.T) : message.T;
  switch (message.T) {
    case 't':
      return readTrade(message);
    case 'q':
      return options.quotes ? readQuote(message) : { kind: 'ignore' };
    case 'success':
      return text === 'authenticated'
        ? { kind: 'authenticated' }
        : { kind: 'ignore' };
    case 'error': {
      const code = control.success ? control.data.code : undefined;
      if (code === 402) return { kind: 'auth-failed', detail: text };
      return {
        kind: 'error',
        detail: code ? `${code} ${text}` : text,
        fatal: code !== undefined && FATAL_CODES.has(code),
      };
    }
    // Subscription confirmations, bars (`b`, `d`, `u`) and crypto order
    // book updates (`o`) carry nothing a tick needs.
    case 'subscription':
    case 'b':
    case 'd':
    case 'u':
    case 'o':
      return { kind: 'ignore' };
    default:
      return { kind: 'malformed', detail: `unknown message type ${message.T}` };
  }
}

function readTrade(message: unknown): StreamMessage {
  const trade = tradeSchema.safeParse(message);
  const time = trade.success ? Date.parse(trade.data.t) : Number.NaN;
  if (!trade.success || trade.data.p <= 0 || Number.isNaN(time)) {
    return {
      kind: 'malformed',
      detail: 'trade message does not match its schema',
    };
  }

  return {
    kind: 'tick',
    tick: {
      upstreamSymbol: trade.data.S,
      price: trade.data.p,
      size: trade.data.s,
      time,
    },
  };
}

/**
 * Reads a quote as a tick without a size, priced at the bid-ask midpoint,
 * as Alpaca prices its crypto bars in minutes without trades.
 */
function readQuote(message: unknown): StreamMessage {
  const quote = quoteSchema.safeParse(message);
  const time = quote.success ? Date.parse(quote.data.t) : Number.NaN;
  if (!quote.success || Number.isNaN(time)) {
    return {
      kind: 'malformed',
      detail: 'quote message does not match its schema',
    };
  }
  const { S: symbol, bp: bid, ap: ask } = quote.data;
  if (bid <= 0 || ask <= 0 || bid > ask) {
    return {
      kind: 'malformed',
      detail: `quote for ${symbol} has an invalid bid ${bid} or ask ${ask}`,
    };
  }

  return {
    kind: 'tick',
    tick: { upstreamSymbol: symbol, price: (bid + ask) / 2, bid, ask, time },
  };
}
