import { describe, expect, it } from 'vitest';
import { pricesIn } from './adjustment.js';
import type { StoredBar } from './replay-series.js';
import { seriesDays } from './series-days.js';
import { showsRatio, splitState } from './split-detection.js';

const DAILY = seriesDays(true, 'America/New_York');
const INTRADAY = seriesDays(false, 'America/New_York');

function day(date: string, open: number, close = open): StoredBar {
  return {
    time: Date.parse(date),
    date,
    open,
    high: Math.max(open, close),
    low: Math.min(open, close),
    close,
    volume: 100,
    complete: true,
  };
}

function minute(iso: string, price: number): StoredBar {
  return {
    time: Date.parse(iso),
    open: price,
    high: price,
    low: price,
    close: price,
    volume: 1,
    complete: true,
  };
}

const WEEK = ['2024-06-03', '2024-06-04', '2024-06-05', '2024-06-06'];
const SPLIT = { date: '2024-06-05', ratio: 4 };

function stateOf(closes: number[], split = SPLIT) {
  const bars = closes.map((close, i) => day(WEEK[i] ?? '', close));

  return splitState(bars, split, DAILY, pricesIn(false));
}

describe('splitState', () => {
  it('finds the jump on the date', () => {
    expect(stateOf([400, 401, 100, 101])).toEqual({
      kind: 'visible',
      ratio: 4,
      boundary: 2,
    });
  });

  it('finds the jump a day early', () => {
    expect(stateOf([400, 100, 101, 102])).toEqual({
      kind: 'visible',
      ratio: 4,
      boundary: 1,
    });
  });

  it('accepts a jump within the tolerance', () => {
    expect(stateOf([400, 401, 125, 126]).kind).toBe('visible');
  });

  it('sees a reflected split', () => {
    expect(stateOf([100, 101, 102, 103])).toEqual({ kind: 'reflected' });
  });

  it('leaves a half jump unclear', () => {
    expect(stateOf([400, 401, 200, 201])).toEqual({ kind: 'unclear' });
  });

  it('finds a reverse split', () => {
    const state = stateOf([1, 1.01, 10, 10.1], {
      date: '2024-06-05',
      ratio: 0.1,
    });
    expect(state).toMatchObject({ kind: 'visible', boundary: 2 });
  });

  it('needs a bar before the split', () => {
    expect(stateOf([100, 101], { date: '2024-06-03', ratio: 4 })).toEqual({
      kind: 'unclear',
    });
  });

  it('compares the adjusted prices', () => {
    const bars = [
      {
        ...day('2024-06-04', 400),
        adjusted: { open: 100, high: 100, low: 100, close: 100, volume: 100 },
      },
      day('2024-06-05', 101),
    ];
    expect(splitState(bars, SPLIT, DAILY, pricesIn(true))).toEqual({
      kind: 'reflected',
    });
  });

  it('crosses intraday days', () => {
    const bars = [
      minute('2024-06-04T19:58:00Z', 400),
      minute('2024-06-04T19:59:00Z', 401),
      minute('2024-06-05T13:30:00Z', 100),
      minute('2024-06-05T13:31:00Z', 101),
    ];
    expect(splitState(bars, SPLIT, INTRADAY, pricesIn(false))).toEqual({
      kind: 'visible',
      ratio: 4,
      boundary: 2,
    });
  });
});

describe('showsRatio', () => {
  it.each([
    [7, 7, true],
    [5.7, 7, true],
    [8.7, 7, true],
    [5.5, 7, false],
    [1, 7, false],
    [1.2, 1.25, true],
    [1.1, 1.25, false],
  ])('reads jump %f for ratio %f as %s', (jump, ratio, expected) => {
    expect(showsRatio(jump, ratio)).toBe(expected);
  });
});
