import { describe, expect, it } from 'vitest';
import type { CorporateAction } from '../../market/bar.js';
import { parseSymbol } from '../../market/symbol.js';
import { basisBars } from './adjusted-view.js';
import type { ReplaySeries, StoredBar } from './replay-series.js';
import { seriesDays } from './series-days.js';

const DAYS = seriesDays(true, 'America/New_York');

function day(date: string, close: number, adjClose?: number): StoredBar {
  return {
    time: Date.parse(date),
    date,
    open: close,
    high: close + 4,
    low: close - 4,
    close,
    volume: 1000,
    complete: true,
    ...(adjClose === undefined ? {} : { adjClose }),
  };
}

function seriesOf(bars: StoredBar[]): ReplaySeries {
  const split: CorporateAction = {
    date: '2024-06-05',
    type: 'split',
    ratio: 4,
  };

  return {
    instrument: parseSymbol('AAPL'),
    interval: '1d',
    bars,
    events: [split],
    files: ['a.csv'],
  };
}

describe('basisBars', () => {
  const raw = seriesOf([
    day('2024-06-03', 400, 400),
    day('2024-06-04', 404, 404),
    day('2024-06-05', 100, 100),
  ]);

  it('keeps stored prices', () => {
    expect(basisBars(raw, 'stored', DAYS)[0]?.close).toBe(400);
  });

  it('divides prices before the jump', () => {
    const [first, second, third] = basisBars(raw, 'stored+splits', DAYS);
    expect(first).toMatchObject({ open: 100, high: 101, low: 99, close: 100 });
    expect(second?.close).toBe(101);
    expect(third?.close).toBe(100);
  });

  it('multiplies volume before the jump', () => {
    const volumes = basisBars(raw, 'stored+splits', DAYS).map(
      (bar) => bar.volume,
    );
    expect(volumes).toEqual([4000, 4000, 1000]);
  });

  it('divides a jumping adjusted close', () => {
    expect(basisBars(raw, 'stored+splits', DAYS)[0]?.adjClose).toBe(100);
  });

  it('keeps an adjusted close without jump', () => {
    const yahoo = seriesOf([
      day('2024-06-04', 404, 101),
      day('2024-06-05', 100, 100),
    ]);
    expect(basisBars(yahoo, 'stored+splits', DAYS)[0]?.adjClose).toBe(101);
  });

  it('drops internal fields', () => {
    const bars = basisBars(
      seriesOf([{ ...day('2024-06-04', 404), origin: 'a.csv' }]),
      'stored',
      DAYS,
    );
    expect(bars[0]).not.toHaveProperty('origin');
  });
});
