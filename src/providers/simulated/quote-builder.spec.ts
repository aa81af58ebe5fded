import { describe, expect, it } from 'vitest';
import { DataNotAvailableError } from '../../common/api.errors.js';
import { buildSeries, findSeries, type PriceSeries } from './price-series.js';
import { bidAsk, buildQuote } from './quote-builder.js';
import type { TradingSession } from './trading-hours.js';
import { buildUniverse } from './universe.js';

const at = (iso: string) => Date.parse(iso);
const series = buildSeries(buildUniverse(42), 42);

function sessionOf(prices: PriceSeries, now: number): TradingSession {
  const session = prices.latestSession(now);
  if (!session) throw new Error(`No session of ${prices.symbol} by ${now}`);

  return session;
}

function seriesOf(symbol: string): PriceSeries {
  return findSeries(series, symbol);
}

describe('buildQuote', () => {
  const aapl = seriesOf('AAPL');
  const now = at('2024-03-15T18:30:17Z');

  it('prices the current minute', () => {
    const minutes = aapl.minuteBars(sessionOf(aapl, now), now);
    expect(buildQuote(aapl, now).price).toBe(minutes.at(-1)?.close);
  });

  it('agrees with the tick price', () => {
    const session = sessionOf(aapl, now);
    for (let ms = session.open; ms < session.close; ms += 61_500) {
      expect(buildQuote(aapl, ms).price).toBe(aapl.priceAt(session, ms));
    }
  });

  it('sums the day so far', () => {
    const quote = buildQuote(aapl, now);
    const day = aapl.daySummary(sessionOf(aapl, now), now);
    expect(quote.open).toBe(day?.open);
    expect(quote.high).toBe(day?.high);
    expect(quote.low).toBe(day?.low);
    expect(quote.volume).toBe(day?.volume);
  });

  it('rounds the change to cents', () => {
    const quote = buildQuote(aapl, now);
    expect(Number((quote.change ?? 0).toFixed(2))).toBe(quote.change);
  });

  it('keeps the high above the price', () => {
    for (let second = 0; second < 3600; second += 97) {
      const quote = buildQuote(aapl, now + second * 1000);
      expect(quote.high).toBeGreaterThanOrEqual(quote.price);
      expect(quote.low).toBeLessThanOrEqual(quote.price);
    }
  });

  it('holds the close after hours', () => {
    const close = at('2024-03-15T20:00:00Z');
    const quote = buildQuote(aapl, at('2024-03-15T22:00:00Z'));
    expect(quote.session).toBe('after-hours');
    expect(quote.asOf).toBe(close);
    expect(quote.price).toBe(buildQuote(aapl, close).price);
  });

  it('uses the base price before the first day', () => {
    const first = at('2000-01-03T15:00:00Z');
    expect(buildQuote(aapl, first).previousClose).toBe(190);
  });

  it('rejects instants before the first session', () => {
    expect(() => buildQuote(aapl, at('2000-01-03T12:00:00Z'))).toThrow(
      DataNotAvailableError,
    );
  });
});

describe('bidAsk', () => {
  it('spreads two basis points for stocks', () => {
    expect(bidAsk(seriesOf('MSFT').spec, 400)).toEqual({
      bid: 399.96,
      ask: 400.04,
    });
  });

  it('keeps at least one increment', () => {
    expect(bidAsk(seriesOf('KO').spec, 20)).toEqual({ bid: 19.99, ask: 20.01 });
  });

  it('quotes a pip around EUR-USD', () => {
    expect(bidAsk(seriesOf('EUR-USD').spec, 1.08)).toEqual({
      bid: 1.07996,
      ask: 1.08004,
    });
  });

  it('has none for indices', () => {
    expect(bidAsk(seriesOf('^GSPC').spec, 5000)).toBeNull();
  });
});
