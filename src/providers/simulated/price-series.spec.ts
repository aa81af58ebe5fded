import { SymbolNotFoundError } from '../../common/api.errors.js';
import { describe, expect, it } from 'vitest';
import { buildSeries, findSeries, type PriceSeries } from './price-series.js';
import type { TradingSession } from './trading-hours.js';
import { buildUniverse } from './universe.js';

const at = (iso: string) => Date.parse(iso);

/** Returns the series of a symbol from a new universe, with empty caches. */
function seriesOf(symbol: string, seed = 42): PriceSeries {
  return findSeries(buildSeries(buildUniverse(seed), seed), symbol);
}

function sessionOf(prices: PriceSeries, now: number): TradingSession {
  const session = prices.latestSession(now);
  if (!session) throw new Error(`No session of ${prices.symbol} by ${now}`);

  return session;
}

describe('PriceSeries.latestSession', () => {
  const aapl = seriesOf('AAPL');

  it.each([
    ['2024-03-15T18:00:00Z', '2024-03-15'],
    ['2024-03-15T12:00:00Z', '2024-03-14'],
    ['2024-03-17T12:00:00Z', '2024-03-15'],
    ['2024-12-25T15:00:00Z', '2024-12-24'],
  ])('finds the session open at %s', (iso, date) => {
    expect(aapl.latestSession(at(iso))?.date).toBe(date);
  });

  it('counts forex evenings toward tomorrow', () => {
    const pair = seriesOf('EUR-USD');
    expect(pair.latestSession(at('2024-03-17T22:00:00Z'))?.date).toBe(
      '2024-03-18',
    );
  });

  it('is null before the first session', () => {
    expect(aapl.latestSession(at('2000-01-03T14:00:00Z'))).toBeNull();
  });
});

describe('PriceSeries bars', () => {
  const now = at('2024-03-15T15:00:30Z');

  it('hides minutes after now', () => {
    const aapl = seriesOf('AAPL');
    const minutes = aapl.minuteBars(sessionOf(aapl, now), now);
    expect(minutes).toHaveLength(91);
    expect(minutes.at(-1)?.time).toBe(at('2024-03-15T15:00:00Z'));
  });

  it('has no minutes before the open', () => {
    const aapl = seriesOf('AAPL');
    const session = sessionOf(aapl, now);
    expect(aapl.minuteBars(session, session.open - 1)).toEqual([]);
    expect(aapl.dayBar(session, session.open - 1)).toBeNull();
  });

  it('summarizes a day the same from any cache', () => {
    const fresh = seriesOf('TSLA');
    const warmed = seriesOf('TSLA');
    const session = sessionOf(fresh, at('2024-03-14T21:00:00Z'));
    warmed.minuteBars(session, session.close);
    expect(fresh.dayBar(session, session.close)).toEqual(
      warmed.dayBar(session, session.close),
    );
  });

  it('closes the previous day', () => {
    const aapl = seriesOf('AAPL');
    const thursday = sessionOf(aapl, at('2024-03-14T21:00:00Z'));
    const friday = sessionOf(aapl, now);
    expect(aapl.previousClose(friday)).toBe(aapl.dayBar(thursday, now)?.close);
  });

  it('steps back whole trading days', () => {
    expect(seriesOf('AAPL').tradingDateBack('2024-03-18', 5)).toBe(
      '2024-03-11',
    );
    expect(seriesOf('AAPL').tradingDateBack('2000-01-05', 10)).toBe(
      '2000-01-03',
    );
  });
});

describe('findSeries', () => {
  it('names the setting for unknown symbols', () => {
    const series = buildSeries(buildUniverse(42, ['AAPL']), 42);
    expect(() => findSeries(series, 'MSFT')).toThrow(SymbolNotFoundError);
    expect(() => findSeries(series, 'MSFT')).toThrow('SIMULATED_SYMBOLS');
  });
});
