import { describe, expect, it } from 'vitest';
import type { Interval } from '../../market/interval.js';
import { parseSymbol } from '../../market/symbol.js';
import type { HistoryQuery } from '../market-data-source.js';
import {
  AGGREGATE_RANGES,
  aggregatesRequest,
  lookbackStart,
  pathSegment,
} from './aggregate-request.js';

const END = Date.parse('2024-03-15T20:00:00Z');
const DAY_MS = 86_400_000;

function latest(
  symbol: string,
  interval: Interval,
  limit: number,
): HistoryQuery {
  return {
    instrument: parseSymbol(symbol),
    interval,
    start: null,
    end: END,
    limit,
    adjusted: true,
  };
}

describe('AGGREGATE_RANGES', () => {
  it.each([
    ['1m', 1, 'minute'],
    ['5m', 5, 'minute'],
    ['15m', 15, 'minute'],
    ['30m', 30, 'minute'],
    ['1h', 1, 'hour'],
    ['1d', 1, 'day'],
    ['1wk', 1, 'week'],
    ['1mo', 1, 'month'],
  ] as const)('maps %s', (interval, multiplier, timespan) => {
    expect(AGGREGATE_RANGES[interval]).toEqual({ multiplier, timespan });
  });
});

describe('lookbackStart', () => {
  it('covers 390 minutes per US day', () => {
    // 3900 one-minute bars are ten regular sessions: two weeks and more.
    const days = (END - lookbackStart(latest('AAPL', '1m', 3900))) / DAY_MS;
    expect(days).toBeGreaterThanOrEqual(14);
  });

  it('counts crypto around the clock', () => {
    const days = (END - lookbackStart(latest('BTC-USD', '1h', 240))) / DAY_MS;
    expect(days).toBeGreaterThanOrEqual(10);
    expect(days).toBeLessThan(30);
  });

  it('covers weekends for daily bars', () => {
    const days = (END - lookbackStart(latest('AAPL', '1d', 250))) / DAY_MS;
    expect(days).toBeGreaterThanOrEqual(365);
  });

  it('stops at the epoch', () => {
    expect(lookbackStart(latest('AAPL', '1mo', 50_001))).toBe(0);
  });
});

describe('aggregatesRequest', () => {
  it('encodes the ticker segment', () => {
    expect(pathSegment('X:BTCUSD')).toBe('X:BTCUSD');
    expect(pathSegment('BRK.B')).toBe('BRK.B');
    expect(pathSegment('A/B C')).toBe('A%2FB%20C');
  });

  it('starts weeks on the Sunday', () => {
    const request = aggregatesRequest('AAPL', {
      ...latest('AAPL', '1wk', 1),
      start: Date.parse('2024-03-11T00:00:00Z'),
      end: Date.parse('2024-03-18T00:00:00Z'),
    });
    expect(request.path).toBe(
      '/v2/aggs/ticker/AAPL/range/1/week/2024-03-10/2024-03-18',
    );
  });
});
