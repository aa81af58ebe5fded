import { describe, expect, it } from 'vitest';
import type { Bar } from '../../market/bar.js';
import { nextDate, seriesDays } from './series-days.js';

function barAt(time: number, date?: string): Bar {
  return {
    time,
    ...(date === undefined ? {} : { date }),
    open: 1,
    high: 1,
    low: 1,
    close: 1,
    volume: 1,
    complete: true,
  };
}

describe('seriesDays', () => {
  const daily = seriesDays(true, 'Asia/Tokyo');
  const intraday = seriesDays(false, 'Asia/Tokyo');

  it('dates daily bars as stored', () => {
    expect(daily.dateOf(barAt(0, '2023-03-29'))).toBe('2023-03-29');
  });

  it('starts daily dates at midnight UTC', () => {
    expect(daily.startOf('2023-03-29')).toBe(
      Date.parse('2023-03-29T00:00:00Z'),
    );
  });

  it('dates intraday bars in the zone', () => {
    const evening = Date.parse('2023-03-28T16:00:00Z');
    expect(intraday.dateOf(barAt(evening))).toBe('2023-03-29');
  });

  it('starts intraday dates at local midnight', () => {
    expect(intraday.startOf('2023-03-29')).toBe(
      Date.parse('2023-03-28T15:00:00Z'),
    );
  });
});

describe('nextDate', () => {
  it('crosses a month end', () => {
    expect(nextDate('2024-02-29')).toBe('2024-03-01');
  });
});
