import { z } from 'zod';
import { UsEquityCalendar } from '../../market/exchange-calendar.js';
import { isUsListed } from '../../market/exchange-zones.js';
import type { Instrument } from '../../market/symbol.js';
import type {
  StreamMessage,
  StreamProtocol,
} from '../upstream-stream/stream-protocol.js';

/**
 * Polygon's stocks WebSocket cluster: authenticate with an `auth` action,
 * subscribe to trade events as `T.<ticker>`, and read arrays of events
 * (`status` for control messages, `T` for trades with epoch-ms times).
 * Polygon keeps one connection per key and drops the oldest when another
 * opens, which the `max_connections` status reports.
 */
const statusSchema = z.object({
  ev: z.literal('status'),
  status: z.string(),
  message: z.string().optional(),
});
const tradeSchema = z.object({
  ev: z.literal('T'),
  sym: z.string(),
  p: z.number(),
  s: z.number().optional(),
  t: z.number(),
});
const eventsSchema = z.array(z.object({ ev: z.string() }).loose());

export function polygonStreamProtocol(
  streamUrl: string,
  key: string,
): StreamProtocol {
  const calendar = new UsEquityCalendar();

  return {
    source: 'polygon',
    url: () => `${streamUrl}/stocks`,
    authFrame: () => JSON.stringify({ action: 'auth', params: key }),
    subscribeFrames: (tickers) => [
      JSON.stringify({
        action: 'subscribe',
        params: tickers.map((ticker) => `T.${ticker}`).join(','),
      }),
    ],
    unsubscribeFrames: (tickers) => [
      JSON.stringify({
        action: 'unsubscribe',
        params: tickers.map((ticker) => `T.${ticker}`).join(','),
      }),
    ],
    decode: decodePolygonFrame,
    toUpstream: (instrument: Instrument) =>
      instrument.assetClass === 'equity' && isUsListed(instrument)
        ? instrument.symbol
        : null,
    expectsData: (now) => calendar.sessionAt(now) === 'regular',
  };
}

export function decodePolygonFrame(frame: string): StreamMessage[] {
  let json: unknown;
  try {
    json = JSON.parse(frame);
  } catch {
    return [{ kind: 'malformed', detail: 'frame is not JSON' }];
  }
  const events = eventsSchema.safeParse(json);
  if (!events.success)
    return [{ kind: 'malformed', detail: 'frame is not an array of events' }];

  return events.data.map(readEvent);
}

function readEvent(event: { ev: string }): StreamMessage {
  if (event.ev === 'T') {
    const trade = tradeSchema.safeParse(event);
    if (!trade.success || trade.data.p <= 0)
      return {
        kind: 'malformed',
        detail: 'trade event does not match its schema',
      };
    const { sym, p, s, t } = trade.data;
    return {
      kind: 'tick',
      tick: { upstreamSymbol: sym, price: p, size: s, time: t },
    };
  }
  if (event.ev !== 'status') return { kind: 'ignore' };
  const status = statusSchema.safeParse(event);
  if (!status.success)
    return {
      kind: 'malformed',
      detail: 'status event does not match its schema',
    };

  return readStatus(
    status.data.status,
    status.data.message ?? status.data.status,
  );
}

function readStatus(status: string, message: string): StreamMessage {
  switch (status) {
    case 'auth_success':
      return { kind: 'authenticated' };
    case 'auth_failed':
      return { kind: 'auth-failed', detail: message };
    case 'auth_timeout':
    case 'max_connections':
      return { kind: 'error', detail: message, fatal: true };
    case 'connected':
    case 'success':
      return { kind: 'ignore' };
    default:
      return { kind: 'error', detail: message, fatal: false };
  }
}
