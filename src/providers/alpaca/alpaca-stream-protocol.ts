import { z } from 'zod';
import { UsEquityCalendar } from '../../market/exchange-calendar.js';
import { isUsListed } from '../../market/exchange-zones.js';
import type { Instrument } from '../../market/symbol.js';
import type {
  StreamMessage,
  StreamProtocol,
} from '../upstream-stream/stream-protocol.js';

/**
 * Alpaca's stock data stream (`/v2/iex` or `/v2/sip`): authenticate with an
 * `auth` action carrying key and secret, subscribe to trades, and read
 * arrays of messages typed by `T` (`success`, `subscription`, `error`, `t`
 * for trades with RFC 3339 times). Alpaca allows one connection per key and
 * answers a second with error 406.
 */
const messageSchema = z.object({ T: z.string() }).loose();
const tradeSchema = z.object({
  T: z.literal('t'),
  S: z.string(),
  p: z.number(),
  s: z.number().optional(),
  t: z.string(),
});
const controlSchema = z.object({
  msg: z.string().optional(),
  code: z.number().optional(),
});

/** Error codes after which the connection cannot go on. */
const FATAL_CODES = new Set([401, 404, 406, 407, 408]);

export function alpacaStreamProtocol(
  streamUrl: string,
  feed: 'iex' | 'sip',
  key: string,
  secret: string,
): StreamProtocol {
  const calendar = new UsEquityCalendar();

  return {
    source: 'alpaca',
    url: () => `${streamUrl}/v2/${feed}`,
    authFrame: () => JSON.stringify({ action: 'auth', key, secret }),
    subscribeFrames: (symbols) => [
      JSON.stringify({ action: 'subscribe', trades: symbols }),
    ],
    unsubscribeFrames: (symbols) => [
      JSON.stringify({ action: 'unsubscribe', trades: symbols }),
    ],
    decode: decodeAlpacaFrame,
    toUpstream: (instrument: Instrument) =>
      instrument.assetClass === 'equity' && isUsListed(instrument)
        ? instrument.symbol
        : null,
    expectsData: (now) => calendar.sessionAt(now) === 'regular',
  };
}

export function decodeAlpacaFrame(frame: string): StreamMessage[] {
  let json: unknown;
  try {
    json = JSON.parse(frame);
  } catch {
    return [{ kind: 'malformed', detail: 'frame is not JSON' }];
  }
  const messages = z.array(messageSchema).safeParse(json);
  if (!messages.success)
    return [{ kind: 'malformed', detail: 'frame is not an array of messages' }];

  return messages.data.map(readMessage);
}

function readMessage(message: { T: string }): StreamMessage {
  const control = controlSchema.safeParse(message);
  const text = control.success ? (control.data.msg ?? message.T) : message.T;
  switch (message.T) {
    case 't':
      return readTrade(message);
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
    case 'subscription':
    case 'q':
    case 'b':
    case 'd':
    case 'u':
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
