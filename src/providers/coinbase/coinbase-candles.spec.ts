import { describe, expect, it } from 'vitest';
import type { Interval } from '../../market/interval.js';
import { parseSymbol } from '../../market/symbol.js';
import type { HistoryQuery } from '../market-data-source.js';
import { candlePlan } from './coinbase-candle-plan.js';
import {
  candleBars,
  readCandleRows,
  uniqueCandles,
  type Candle,
} from './coinbase-candles.js';

/** Friday 2024-03-15, 14:30 UTC. */
const NOW = Date.parse('2024-03-15T14:30:00Z');
const DAY_S = 86_400;
/** 2024-03-11, a Monday, in epoch seconds. */
const MONDAY_S = Date.parse('2024-03-11T00:00:00Z') / 1000;
const WIDE_PAGE = { from: 0, to: Date.parse('2030-01-01T00:00:00Z') };

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

function candle(time: string, close: number, volume = 1): Candle {
  return {
    time: Date.parse(time),
    open: close - 10,
    high: close + 20,
    low: close - 20,
    close,
    volume,
  };
}

describe('readCandleRows', () => {
  it('reads the documented column order', () => {
    const { candles } = readCandleRows(
      [[MONDAY_S, 67194.88, 72850, 69020.55, 72123.9, 21876.43]],
      WIDE_PAGE,
    );
    expect(candles).toEqual([
      {
        time: MONDAY_S * 1000,
        low: 67194.88,
        high: 72850,
        open: 69020.55,
        close: 72123.9,
        volume: 21876.43,
      },
    ]);
  });

  it('parses prices sent as strings', () => {
    const { candles } = readCandleRows(
      [[MONDAY_S, '1.5', '2.5', '2', '2.25', '10']],
      WIDE_PAGE,
    );
    expect(candles[0]?.close).toBe(2.25);
    expect(typeof candles[0]?.volume).toBe('number');
  });

  it.each([
    ['a null low', [MONDAY_S, null, 2, 1.5, 1.8, 1]],
    ['a "null" close', [MONDAY_S, 1, 2, 1.5, 'null', 1]],
    ['a "NaN" open', [MONDAY_S, 1, 2, 'NaN', 1.8, 1]],
    ['a zero close', [MONDAY_S, 1, 2, 1.5, 0, 1]],
    ['a low above the high', [MONDAY_S, 3, 2, 2.5, 2.5, 1]],
    ['a fractional time', [MONDAY_S + 0.5, 1, 2, 1.5, 1.8, 1]],
    ['five cells', [MONDAY_S, 1, 2, 1.5, 1.8]],
  ])('counts %s as bad', (_case, row) => {
    const read = readCandleRows([row], WIDE_PAGE);
    expect(read.candles).toEqual([]);
    expect(read.bad).toBe(1);
  });

  it('keeps a row without volume', () => {
    const { candles } = readCandleRows(
      [[MONDAY_S, 1, 2, 1.5, 1.8, null]],
      WIDE_PAGE,
    );
    expect(candles[0]?.volume).toBeNull();
  });

  it('counts rows outside the page', () => {
    const page = { from: MONDAY_S * 1000, to: (MONDAY_S + DAY_S) * 1000 };
    const read = readCandleRows(
      [
        [MONDAY_S + 2 * DAY_S, 1, 2, 1.5, 1.8, 1],
        [MONDAY_S, 1, 2, 1.5, 1.8, 1],
        [MONDAY_S - DAY_S, 1, 2, 1.5, 1.8, 1],
      ],
      page,
    );
    expect(read.candles).toHaveLength(1);
    expect(read.outside).toBe(2);
  });
});

describe('uniqueCandles', () => {
  it('sorts and drops repeated times', () => {
    const { candles, duplicate } = uniqueCandles([
      candle('2024-03-12T00:00:00Z', 3),
      candle('2024-03-11T00:00:00Z', 2),
      candle('2024-03-12T00:00:00Z', 4),
    ]);
    expect(candles.map((entry) => entry.close)).toEqual([2, 3]);
    expect(duplicate).toBe(1);
  });
});

describe('candleBars', () => {
  it('dates daily bars in UTC', () => {
    const bars = candleBars(
      [candle('2024-03-14T00:00:00Z', 71396.71)],
      candlePlan('1d'),
      query('1d', '2024-03-14T00:00:00Z', '2024-03-14T00:00:00Z'),
      NOW,
    );
    expect(bars).toEqual([
      expect.objectContaining({
        time: Date.parse('2024-03-14T00:00:00Z'),
        date: '2024-03-14',
        complete: true,
      }),
    ]);
  });

  it('marks the forming day incomplete', () => {
    const bars = candleBars(
      [candle('2024-03-15T00:00:00Z', 68512.44)],
      candlePlan('1d'),
      query('1d', '2024-03-15T00:00:00Z', '2024-03-15T00:00:00Z'),
      NOW,
    );
    expect(bars[0]?.complete).toBe(false);
  });

  it('merges 15m candles into 30m', () => {
    const bars = candleBars(
      [
        candle('2024-03-15T12:00:00Z', 100, 2),
        candle('2024-03-15T12:15:00Z', 110, 3),
        candle('2024-03-15T12:30:00Z', 90, 4),
      ],
      candlePlan('30m'),
      query('30m', '2024-03-15T12:00:00Z', '2024-03-15T12:30:00Z'),
      NOW,
    );
    expect(bars).toEqual([
      {
        time: Date.parse('2024-03-15T12:00:00Z'),
        open: 90,
        high: 130,
        low: 80,
        close: 110,
        volume: 5,
        complete: true,
      },
      {
        time: Date.parse('2024-03-15T12:30:00Z'),
        open: 80,
        high: 110,
        low: 70,
        close: 90,
        volume: 4,
        complete: true,
      },
    ]);
  });

  it('merges days into Monday weeks', () => {
    const days = [
      candle('2024-03-04T00:00:00Z', 10),
      candle('2024-03-10T00:00:00Z', 20),
      candle('2024-03-11T00:00:00Z', 30),
      candle('2024-03-15T00:00:00Z', 40),
    ];
    const bars = candleBars(
      days,
      candlePlan('1wk'),
      query('1wk', '2024-03-04T00:00:00Z', '2024-03-11T00:00:00Z'),
      NOW,
    );
    expect(bars.map((bar) => [bar.date, bar.close, bar.complete])).toEqual([
      ['2024-03-04', 20, true],
      ['2024-03-11', 40, false],
    ]);
  });

  it('merges days into months', () => {
    const days = [
      candle('2024-01-31T00:00:00Z', 110),
      candle('2024-02-01T00:00:00Z', 120),
      candle('2024-02-29T00:00:00Z', 130),
    ];
    const bars = candleBars(
      days,
      candlePlan('1mo'),
      query('1mo', '2024-01-01T00:00:00Z', '2024-02-01T00:00:00Z'),
      NOW,
    );
    expect(bars.map((bar) => [bar.date, bar.open, bar.close])).toEqual([
      ['2024-01-01', 100, 110],
      ['2024-02-01', 110, 130],
    ]);
  });

  it('keeps the last bars without start', () => {
    const bars = candleBars(
      [
        candle('2024-03-13T00:00:00Z', 1),
        candle('2024-03-14T00:00:00Z', 2),
        candle('2024-03-15T00:00:00Z', 3),
      ],
      candlePlan('1d'),
      query('1d', null, '2024-03-15T00:00:00Z', 2),
      NOW,
    );
    expect(bars.map((bar) => bar.date)).toEqual(['2024-03-14', '2024-03-15']);
  });

  it('keeps the first bars with start', () => {
    const bars = candleBars(
      [
        candle('2024-03-13T00:00:00Z', 1),
        candle('2024-03-14T00:00:00Z', 2),
        candle('2024-03-15T00:00:00Z', 3),
      ],
      candlePlan('1d'),
      query('1d', '2024-03-13T00:00:00Z', '2024-03-15T00:00:00Z', 2),
      NOW,
    );
    expect(bars.map((bar) => bar.date)).toEqual(['2024-03-13', '2024-03-14']);
  });
});
