import { describe, expect, it, vi } from 'vitest';
import type { Bar } from '../../market/bar.js';
import { UsEquityCalendar } from '../../market/exchange-calendar.js';
import { parseSymbol } from '../../market/symbol.js';
import { aggregateSeries, tradingDayTest } from './series-aggregation.js';

const calendar = new UsEquityCalendar();

function bar(iso: string, price: number, volume = 10): Bar {
  return {
    time: Date.parse(iso),
    open: price,
    high: price + 1,
    low: price - 1,
    close: price,
    volume,
    complete: true,
  };
}

function day(date: string, price: number): Bar {
  return { ...bar(`${date}T00:00:00Z`, price), date };
}

/** A US session day in 15-minute bars, with one pre-market and one after-hours bar. */
const EA_DAY = [
  bar('2026-06-02T08:00:00Z', 50),
  bar('2026-06-02T13:30:00Z', 200),
  bar('2026-06-02T13:45:00Z', 201),
  bar('2026-06-02T19:45:00Z', 202),
  bar('2026-06-02T20:00:00Z', 300),
];

describe('aggregateSeries', () => {
  it('builds US days from the regular session', () => {
    const [daily] = aggregateSeries(
      parseSymbol('EA'),
      EA_DAY,
      '15m',
      '1d',
      calendar,
    );
    expect(daily).toMatchObject({
      date: '2026-06-02',
      open: 200,
      high: 203,
      low: 199,
      close: 202,
      volume: 30,
    });
  });

  it('keeps all hours of crypto days', () => {
    const [daily] = aggregateSeries(
      parseSymbol('BTC-USD'),
      EA_DAY,
      '15m',
      '1d',
      calendar,
    );
    expect(daily?.open).toBe(50);
    expect(daily?.close).toBe(300);
  });

  it('keeps extended hours in hourly bars', () => {
    const hourly = aggregateSeries(
      parseSymbol('EA'),
      EA_DAY,
      '15m',
      '1h',
      calendar,
    );
    expect(hourly.map((one) => one.open)).toEqual([50, 200, 202, 300]);
  });

  it('marks the day the data stops inside incomplete', () => {
    const [daily] = aggregateSeries(
      parseSymbol('EA'),
      EA_DAY.slice(0, 3),
      '15m',
      '1d',
      calendar,
    );
    expect(daily?.complete).toBe(false);
  });

  it('completes a week ending on a holiday', () => {
    const goodFridayWeek = [
      '2024-03-25',
      '2024-03-26',
      '2024-03-27',
      '2024-03-28',
    ];
    const [weekly] = aggregateSeries(
      parseSymbol('SPY'),
      goodFridayWeek.map((date, i) => day(date, i + 1)),
      '1d',
      '1wk',
      calendar,
    );
    expect(weekly?.complete).toBe(true);
  });

  it('finds sessions per day, not per bar', () => {
    const counting = new UsEquityCalendar();
    const tradingDay = vi.spyOn(counting, 'tradingDay');
    const localDate = vi.spyOn(counting, 'localDate');
    const minutes = ['2026-06-01', '2026-06-02', '2026-06-03'].flatMap((date) =>
      Array.from({ length: 390 }, (_, i) =>
        bar(
          new Date(Date.parse(`${date}T13:30:00Z`) + i * 60_000).toISOString(),
          100,
        ),
      ),
    );
    const days = aggregateSeries(
      parseSymbol('EA'),
      minutes,
      '1m',
      '1d',
      counting,
    );
    expect(days.map((daily) => daily.volume)).toEqual([3900, 3900, 3900]);
    // Twice a day: once to filter the session, once to judge completeness.
    expect(tradingDay).toHaveBeenCalledTimes(6);
    expect(localDate).not.toHaveBeenCalled();
  });

  it('keeps the early close', () => {
    const blackFriday = ['14:30', '17:59', '18:00'].map((time) =>
      bar(`2025-11-28T${time}:00Z`, 100),
    );
    const [daily] = aggregateSeries(
      parseSymbol('EA'),
      blackFriday,
      '1m',
      '1d',
      calendar,
    );
    expect(daily?.volume).toBe(20);
  });

  it('returns stored bars for the same interval', () => {
    const bars = [day('2024-03-25', 1)];
    expect(
      aggregateSeries(parseSymbol('SPY'), bars, '1d', '1d', calendar),
    ).toEqual(bars);
  });
});

describe('tradingDayTest', () => {
  it('uses the US calendar', () => {
    expect(tradingDayTest(parseSymbol('SPY'), calendar)?.('2024-03-29')).toBe(
      false,
    );
  });

  it('trades Tokyo on weekdays', () => {
    const test = tradingDayTest(parseSymbol('4063.T'), calendar);
    expect(test?.('2024-03-29')).toBe(true);
    expect(test?.('2024-03-30')).toBe(false);
  });

  it('trades crypto every day', () => {
    expect(tradingDayTest(parseSymbol('BTC-USD'), calendar)).toBeUndefined();
  });
});
