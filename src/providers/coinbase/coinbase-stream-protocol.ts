import { z } from 'zod';
import type { Instrument } from '../../market/symbol.js';
import type {
  StreamMessage,
  StreamProtocol,
} from '../upstream-stream/stream-protocol.js';

/**
 * Coinbase Exchange's public WebSocket feed. The `ticker` channel sends one
 * message per trade with the best bid and ask; the `heartbeat` channel sends
 * one message a second per product, so silence means a dead connection.
 * No authentication is needed for these channels.
 */
const CHANNELS = ['ticker', 'heartbeat'];

const tickerSchema = z.object({
  type: z.literal('ticker'),
  product_id: z.string(),
  price: z.string(),
  best_bid: z.string().optional(),
  best_ask: z.string().optional(),
  last_size: z.string().optional(),
  time: z.string(),
});

const envelopeSchema = z.object({
  type: z.string(),
  message: z.string().optional(),
  reason: z.string().optional(),
});

/** Message types that need no action: acknowledgements, heartbeats and other channels. */
const IGNORED = new Set([
  'subscriptions',
  'heartbeat',
  'snapshot',
  'l2update',
  'match',
  'last_match',
  'received',
  'open',
  'done',
  'change',
]);

export function coinbaseStreamProtocol(streamUrl: string): StreamProtocol {
  return {
    source: 'coinbase',
    url: () => streamUrl,
    subscribeFrames: (products) => [
      JSON.stringify({
        type: 'subscribe',
        product_ids: products,
        channels: CHANNELS,
      }),
    ],
    unsubscribeFrames: (products) => [
      JSON.stringify({
        type: 'unsubscribe',
        product_ids: products,
        channels: CHANNELS,
      }),
    ],
    decode: decodeCoinbaseFrame,
    toUpstream: (instrument: Instrument) =>
      instrument.assetClass === 'crypto' ? instrument.symbol : null,
    // Crypto trades around the clock, so silence is never expected.
    expectsData: () => true,
  };
}

/** Reads one frame of the feed. */
export function decodeCoinbaseFrame(frame: string): StreamMessage[] {
  let json: unknown;
  try {
    json = JSON.parse(frame);
  } catch {
    return [{ kind: 'malformed', detail: 'frame is not JSON' }];
  }
  const envelope = envelopeSchema.safeParse(json);
  if (!envelope.success)
    return [{ kind: 'malformed', detail: 'frame has no type' }];
  const { type } = envelope.data;
  if (type === 'ticker') return [ticker(json)];
  if (type === 'error') {
    const detail =
      [envelope.data.message, envelope.data.reason]
        .filter(Boolean)
        .join(': ') || 'error';
    return [{ kind: 'error', detail, fatal: false }];
  }

  return IGNORED.has(type)
    ? [{ kind: 'ignore' }]
    : [{ kind: 'malformed', detail: `unknown message type ${type}` }];
}

function ticker(json: unknown): StreamMessage {
  const parsed = tickerSchema.safeParse(json);
  if (!parsed.success)
    return {
      kind: 'malformed',
      detail: 'ticker message does not match its schema',
    };
  const {
    product_id: product,
    price,
    best_bid: bid,
    best_ask: ask,
    last_size: size,
    time,
  } = parsed.data;
  const values = {
    price: positive(price),
    bid: positive(bid),
    ask: positive(ask),
    size: positive(size),
  };
  const at = Date.parse(time);
  if (values.price === undefined || Number.isNaN(at)) {
    return {
      kind: 'malformed',
      detail: `ticker for ${product} has no valid price or time`,
    };
  }

  return {
    kind: 'tick',
    tick: {
      upstreamSymbol: product,
      price: values.price,
      bid: values.bid,
      ask: values.ask,
      size: values.size,
      time: at,
    },
  };
}

function positive(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);

  return Number.isFinite(value) && value > 0 ? value : undefined;
}
