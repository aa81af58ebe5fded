import { describe, expect, it } from 'vitest';
import type { Bar } from './bar.js';
import { aggregateBars } from './bar-aggregation.js';
import { UsEquityCalendar } from './exchange-calendar.js';

const calendar = new UsEquityCalendar();
const isTradingDay = (date: string) => calendar.isTradingDay(date);

function daily(date: string, open: number, close: number, volume = 100): Bar {
  return {
    time: Date.parse(`${date}T00:00:00Z`),
    date,
    open,
    high: Math.max(open, close) + 1,
    low: Math.min(open, close) - 1,
    close,
    volume,
    complete: true,
  };
}

function minute(iso: string, price: number): Bar {
  return {
    time: Date.parse(iso),
    open: price,
    high: price + 0.5,
    low: price - 0.5,
    close: price + 0.25,
    volume: 10,
    complete: true,
  };
}

describe('aggregateBars', () => {
  const week = [
    daily('2024-03-04', 10, 11),
    daily('2024-03-05', 11, 12),
    daily('2024-03-06', 12, 9),
    daily('2024-03-07', 9, 10),
    daily('2024-03-08', 10, 13),
    daily('2024-03-11', 13, 14),
  ];

  it('merges a week of daily bars', () => {
    const [first] = aggregateBars(week, '1wk', {
      timeZone: 'America/New_York',
      dataEnd: Date.parse('2024-03-12T00:00:00Z'),
      isTradingDay,
    });
    expect(first).toEqual({
      time: Date.parse('2024-03-04T00:00:00Z'),
      date: '2024-03-04',
      open: 10,
      high: 14,
      low: 8,
      close: 13,
      volume: 500,
      complete: true,
    });
  });

  it('marks a week incomplete when the data ends inside it', () => {
    const bars = aggregateBars(week, '1wk', {
      timeZone: 'America/New_York',
      dataEnd: Date.parse('2024-03-12T00:00:00Z'),
      isTradingDay,
    });
    expect(bars).toHaveLength(2);
    expect(bars[1]?.complete).toBe(false);
  });

  it('counts a week complete when its last trading day is in', () => {
    const goodFridayWeek = [
      daily('2024-03-25', 1, 2),
      daily('2024-03-26', 2, 3),
      daily('2024-03-27', 3, 4),
      daily('2024-03-28', 4, 5),
    ];
    const [bar] = aggregateBars(goodFridayWeek, '1wk', {
      timeZone: 'America/New_York',
      dataEnd: Date.parse('2024-03-29T00:00:00Z'),
      isTradingDay,
    });
    expect(bar?.complete).toBe(true);
  });

  it('merges months on their first day', () => {
    const bars = aggregateBars(
      [
        daily('2024-02-28', 1, 2),
        daily('2024-02-29', 2, 3),
        daily('2024-03-01', 3, 4),
      ],
      '1mo',
      { timeZone: 'UTC', dataEnd: Date.parse('2024-04-01T00:00:00Z') },
    );
    expect(bars.map((bar) => bar.date)).toEqual(['2024-02-01', '2024-03-01']);
    expect(bars.map((bar) => bar.close)).toEqual([3, 4]);
  });

  it('aligns hourly buckets on the hour', () => {
    const bars = aggregateBars(
      [
        minute('2024-03-11T13:30:00Z', 100),
        minute('2024-03-11T13:59:00Z', 101),
        minute('2024-03-11T14:00:00Z', 102),
      ],
      '1h',
      {
        timeZone: 'America/New_York',
        dataEnd: Date.parse('2024-03-11T14:01:00Z'),
      },
    );
    expect(bars.map((bar) => new Date(bar.time).toISOString())).toEqual([
      '2024-03-11T13:00:00.000Z',
      '2024-03-11T14:00:00.000Z',
    ]);
    expect(bars[0]).toMatchObject({
      open: 100,
      close: 101.25,
      volume: 20,
      complete: true,
    });
    expect(bars[1]?.complete).toBe(false);
    expect(bars[0]?.date).toBeUndefined();
  });

  it('dates intraday bars by the exchange day', () => {
    const bars = aggregateBars(
      [
        minute('2024-03-11T23:30:00Z', 100),
        minute('2024-03-12T03:30:00Z', 101),
      ],
      '1d',
      {
        timeZone: 'America/New_York',
        dataEnd: Date.parse('2024-03-13T00:00:00Z'),
      },
    );
    expect(bars).toHaveLength(1);
    expect(bars[0]?.date).toBe('2024-03-11');
  });

  it('keeps null volume when every input lacks it', () => {
    const bars = aggregateBars(
      [
        { ...daily('2024-03-04', 1, 2), volume: null },
        { ...daily('2024-03-05', 2, 3), volume: null },
      ],
      '1wk',
      { timeZone: 'UTC', dataEnd: Date.parse('2024-03-06T00:00:00Z') },
    );
    expect(bars[0]?.volume).toBeNull();
  });

  it('completes a day at its session close', () => {
    const bars = [
      minute('2024-03-11T19:58:00Z', 100),
      minute('2024-03-11T19:59:00Z', 101),
    ];
    const dataEnd = Date.parse('2024-03-11T20:00:00Z');
    const options = { timeZone: 'America/New_York', dataEnd };
    expect(aggregateBars(bars, '1d', options)[0]?.complete).toBe(false);
    const closed = aggregateBars(bars, '1d', {
      ...options,
      sessionClose: (date: string) =>
        calendar.tradingDay(date)?.close ?? Number.POSITIVE_INFINITY,
    });
    expect(closed[0]?.complete).toBe(true);
  });
});
