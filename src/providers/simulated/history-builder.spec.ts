import { describe, expect, it } from 'vitest';
import { DataNotAvailableError } from '../../common/api.errors.js';
import type { Interval } from '../../market/interval.js';
import { parseSymbol } from '../../market/symbol.js';
import type { HistoryQuery } from '../market-data-source.js';
import { buildHistoryBars, MAX_INTRADAY_SPAN_DAYS } from './history-builder.js';
import { buildSeries, findSeries, type PriceSeries } from './price-series.js';
import { buildUniverse } from './universe.js';

const DAY_MS = 86_400_000;
const NOW = Date.parse('2024-03-15T18:30:17Z');
const series = buildSeries(buildUniverse(42), 42);

function seriesOf(symbol: string): PriceSeries {
  return findSeries(series, symbol);
}

function query(
  symbol: string,
  interval: Interval,
  start: number | null,
  end = NOW,
  limit = 1000,
): HistoryQuery {
  const instrument = parseSymbol(symbol);

  return { instrument, interval, start, end, limit, adjusted: false };
}

function build(request: HistoryQuery) {
  return buildHistoryBars(seriesOf(request.instrument.symbol), request, NOW);
}

describe('buildHistoryBars limits', () => {
  it.each(Object.entries(MAX_INTRADAY_SPAN_DAYS))(
    'caps %s spans at %d days',
    (interval, days) => {
      const start = NOW - (days + 1) * DAY_MS;
      expect(() =>
        build(query('BTC-USD', interval as Interval, start)),
      ).toThrow(`limited to ${days} days`);
    },
  );

  it('names the requested span', () => {
    const start = NOW - 90 * DAY_MS;
    expect(() => build(query('AAPL', '1m', start))).toThrow(
      '90 days were requested',
    );
  });

  it('bounds requests without a start', () => {
    const minutes = build(query('BTC-USD', '1m', null, NOW, 1_000_000));
    expect(minutes).toHaveLength(60 * 1440);
  });

  it('rejects ranges before the epoch', () => {
    const end = Date.parse('1999-12-31T00:00:00Z');
    expect(() => build(query('AAPL', '1d', null, end))).toThrow(
      DataNotAvailableError,
    );
  });

  it('returns nothing for a zero limit', () => {
    expect(build(query('AAPL', '1d', null, NOW, 0))).toEqual([]);
    expect(build(query('AAPL', '1h', null, NOW, 0))).toEqual([]);
  });

  it('returns nothing for a start after now', () => {
    const start = NOW + DAY_MS;
    expect(build(query('AAPL', '1m', start, start + DAY_MS))).toEqual([]);
  });
});

describe('buildHistoryBars ranges', () => {
  it('keeps bars that start in range', () => {
    const start = Date.parse('2024-03-13T00:00:00Z');
    const end = Date.parse('2024-03-14T00:00:00Z');
    expect(
      build(query('AAPL', '1d', start, end)).map((bar) => bar.date),
    ).toEqual(['2024-03-13', '2024-03-14']);
  });

  it('counts limits in trading days', () => {
    const bars = build(query('AAPL', '1d', null, NOW, 10));
    expect(bars).toHaveLength(10);
    expect(bars[0]?.date).toBe('2024-03-04');
  });

  it('fills limits across weekends', () => {
    const saturday = Date.parse('2024-03-16T12:00:00Z');
    const minutes = build(query('AAPL', '1m', null, saturday, 500));
    expect(minutes).toHaveLength(500);
    expect(minutes.at(-1)?.time).toBe(Date.parse('2024-03-15T18:30:00Z'));
  });

  it('limits months back to the epoch', () => {
    const months = build(query('AAPL', '1mo', null, NOW, 10_000));
    expect(months[0]?.date).toBe('2000-01-01');
    expect(months).toHaveLength(24 * 12 + 3);
  });
});
