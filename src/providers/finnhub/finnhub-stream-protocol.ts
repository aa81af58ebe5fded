import { z } from 'zod';
import { UsEquityCalendar } from '../../market/exchange-calendar.js';
import { isUsListed } from '../../market/exchange-zones.js';
import { forexWeek } from '../../market/market-session.js';
import type { Instrument } from '../../market/symbol.js';
import type {
  StreamMessage,
  StreamProtocol,
} from '../upstream-stream/stream-protocol.js';

/**
 * Finnhub's trade stream: the token goes in the URL, each symbol is
 * subscribed with its own `subscribe` message, and frames are `trade`
 * batches (up to ten trades), `ping` keep-alives sent while nothing trades,
 * and `error` messages. Crypto and forex use exchange-prefixed symbols.
 */
const tradeSchema = z.object({
  p: z.number(),
  s: z.string(),
  t: z.number(),
  v: z.number().nullable().optional(),
});
const frameSchema = z.object({
  type: z.string(),
  data: z.array(z.unknown()).optional(),
  msg: z.string().optional(),
});

export function finnhubStreamProtocol(
  streamUrl: string,
  token: string,
): StreamProtocol {
  const calendar = new UsEquityCalendar();

  return {
    source: 'finnhub',
    url: () => `${streamUrl}?token=${encodeURIComponent(token)}`,
    subscribeFrames: (symbols) =>
      symbols.map((symbol) => JSON.stringify({ type: 'subscribe', symbol })),
    unsubscribeFrames: (symbols) =>
      symbols.map((symbol) => JSON.stringify({ type: 'unsubscribe', symbol })),
    decode: decodeFinnhubFrame,
    toUpstream: finnhubStreamSymbol,
    expectsData: (now, instruments) =>
      instruments.some((instrument) => {
        if (instrument.assetClass === 'crypto') return true;
        if (instrument.assetClass === 'forex') return forexWeek(now).isOpen;
        return calendar.sessionAt(now) === 'regular';
      }),
  };
}

/**
 * Returns Finnhub's stream symbol: US tickers as they are, crypto on
 * Binance in USDT (`BINANCE:BTCUSDT` for BTC-USD), forex at OANDA
 * (`OANDA:EUR_USD`); other listings and indices are not streamed.
 */
export function finnhubStreamSymbol(instrument: Instrument): string | null {
  const { assetClass, base, quote } = instrument;
  if (assetClass === 'crypto' && base && quote)
    return `BINANCE:${base}${quote === 'USD' ? 'USDT' : quote}`;
  if (assetClass === 'forex' && base && quote) return `OANDA:${base}_${quote}`;

  return assetClass === 'equity' && isUsListed(instrument)
    ? instrument.symbol
    : null;
}

export function decodeFinnhubFrame(frame: string): StreamMessage[] {
  let json: unknown;
  try {
    json = JSON.parse(frame);
  } catch {
    return [{ kind: 'malformed', detail: 'frame is not JSON' }];
  }
  const parsed = frameSchema.safeParse(json);
  if (!parsed.success)
    return [{ kind: 'malformed', detail: 'frame has no type' }];
  switch (parsed.data.type) {
    case 'trade':
      return (parsed.data.data ?? []).map(readTrade);
    case 'ping':
      return [{ kind: 'ignore' }];
    case 'error':
      return [
        { kind: 'error', detail: parsed.data.msg ?? 'error', fatal: false },
      ];
    default:
      return [
        {
          kind: 'malformed',
          detail: `unknown message type ${parsed.data.type}`,
        },
      ];
  }
}

function readTrade(entry: unknown): StreamMessage {
  const trade = tradeSchema.safeParse(entry);
  if (!trade.success || trade.data.p <= 0)
    return { kind: 'malformed', detail: 'trade does not match its schema' };
  const { p, s, t, v } = trade.data;

  return {
    kind: 'tick',
    tick: { upstreamSymbol: s, price: p, size: v ?? undefined, time: t },
  };
}
