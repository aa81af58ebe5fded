import { describe, expect, it } from 'vitest';
import type { Interval } from '../../market/interval.js';
import { parseSymbol } from '../../market/symbol.js';
import type { HistoryQuery } from '../market-data-source.js';
import {
  candlePages,
  candlePlan,
  candleQuery,
  candleSpan,
  EARLIEST_CANDLE,
} from './coinbase-candle-plan.js';

/** Friday 2024-03-15, 14:30 UTC. */
const NOW = Date.parse('2024-03-15T14:30:00Z');
const HOUR = 3_600_000;
const DAY = 86_400_000;

function query(
  interval: Interval,
  start: string | null,
  end: string,
  limit = 5001,
): HistoryQuery {
  return {
    instrument: parseSymbol('BTC-USD', { context: 'crypto' }),
    interval,
    start: start === null ? null : Date.parse(start),
    end: Date.parse(end),
    limit,
    adjusted: true,
  };
}

describe('candlePlan', () => {
  it.each([
    ['1m', 60, '1m'],
    ['5m', 300, '5m'],
    ['15m', 900, '15m'],
    ['30m', 900, '15m'],
    ['1h', 3600, '1h'],
    ['1d', 86400, '1d'],
    ['1wk', 86400, '1d'],
    ['1mo', 86400, '1d'],
  ] as const)(
    'fetches %s as %i-second candles',
    (interval, seconds, fetched) => {
      const plan = candlePlan(interval);
      expect(plan.granularity).toBe(seconds);
      expect(plan.fetched).toBe(fetched);
      expect(plan.target).toBe(interval);
    },
  );
});

describe('candleSpan', () => {
  it('covers a daily range', () => {
    const q = query('1d', '2024-03-11T00:00:00Z', '2024-03-15T00:00:00Z');
    expect(candleSpan(q, candlePlan('1d'), NOW)).toEqual({
      from: Date.parse('2024-03-11T00:00:00Z'),
      to: Date.parse('2024-03-15T00:00:00Z'),
    });
  });

  it('stops at the forming candle', () => {
    const q = query('1h', '2024-03-15T00:00:00Z', '2024-03-20T00:00:00Z');
    const span = candleSpan(q, candlePlan('1h'), NOW);
    expect(span?.to).toBe(Date.parse('2024-03-15T14:00:00Z'));
  });

  it('counts limit bars back without start', () => {
    const q = query('1h', null, '2024-03-15T10:20:00Z', 24);
    expect(candleSpan(q, candlePlan('1h'), NOW)).toEqual({
      from: Date.parse('2024-03-14T11:00:00Z'),
      to: Date.parse('2024-03-15T10:00:00Z'),
    });
  });

  it('covers whole 30m bars', () => {
    const q = query('30m', '2024-03-15T12:10:00Z', '2024-03-15T13:40:00Z');
    expect(candleSpan(q, candlePlan('30m'), NOW)).toEqual({
      from: Date.parse('2024-03-15T12:30:00Z'),
      to: Date.parse('2024-03-15T13:45:00Z'),
    });
  });

  it('covers whole weeks from Monday', () => {
    const q = query('1wk', '2024-02-26T00:00:00Z', '2024-03-06T00:00:00Z');
    expect(candleSpan(q, candlePlan('1wk'), NOW)).toEqual({
      from: Date.parse('2024-02-26T00:00:00Z'),
      to: Date.parse('2024-03-10T00:00:00Z'),
    });
  });

  it('counts months back without start', () => {
    const q = query('1mo', null, '2024-03-15T00:00:00Z', 3);
    const span = candleSpan(q, candlePlan('1mo'), NOW);
    expect(span?.from).toBe(Date.parse('2024-01-01T00:00:00Z'));
    expect(span?.to).toBe(Date.parse('2024-03-15T00:00:00Z'));
  });

  it('starts no earlier than Coinbase', () => {
    const q = query('1d', '1990-01-01T00:00:00Z', '2015-02-01T00:00:00Z');
    expect(candleSpan(q, candlePlan('1d'), NOW)?.from).toBe(EARLIEST_CANDLE);
  });

  it('is null before Coinbase opened', () => {
    const q = query('1d', '2010-01-01T00:00:00Z', '2010-02-01T00:00:00Z');
    expect(candleSpan(q, candlePlan('1d'), NOW)).toBeNull();
  });
});

describe('candlePages', () => {
  const plan = candlePlan('1h');
  const span = { from: 0, to: 699 * HOUR };

  it('splits forwards into 300 candles', () => {
    expect([...candlePages(span, plan, 'forward')]).toEqual([
      { from: 0, to: 299 * HOUR },
      { from: 300 * HOUR, to: 599 * HOUR },
      { from: 600 * HOUR, to: 699 * HOUR },
    ]);
  });

  it('splits backwards from the end', () => {
    expect([...candlePages(span, plan, 'backward')]).toEqual([
      { from: 400 * HOUR, to: 699 * HOUR },
      { from: 100 * HOUR, to: 399 * HOUR },
      { from: 0, to: 99 * HOUR },
    ]);
  });

  it('keeps one candle as one page', () => {
    const single = { from: 5 * DAY, to: 5 * DAY };
    expect([...candlePages(single, candlePlan('1d'), 'forward')]).toEqual([
      single,
    ]);
  });
});

describe('candleQuery', () => {
  it('writes ISO times in UTC', () => {
    const page = {
      from: Date.parse('2024-03-11T00:00:00Z'),
      to: Date.parse('2024-03-15T00:00:00Z'),
    };
    expect(candleQuery(page, candlePlan('1d'))).toEqual({
      granularity: 86400,
      start: '2024-03-11T00:00:00Z',
      end: '2024-03-15T00:00:00Z',
    });
  });
});
