import { describe, expect, it } from 'vitest';
import { fitWindow } from './bar-window.js';
import type { SeriesBar } from './series-rows.js';

const DAY = 86_400_000;

function bar(day: number, close = day, sourceKey = String(day)): SeriesBar {
  return {
    time: day * DAY,
    open: close,
    high: close,
    low: close,
    close,
    volume: 1,
    sourceKey,
  };
}

const bars = [bar(1), bar(2), bar(3), bar(4), bar(5)];
const endOf = (item: SeriesBar) => item.time + DAY;

describe('fitWindow', () => {
  it('keeps bars inside the range', () => {
    const fitted = fitWindow(
      bars,
      { start: 2 * DAY, end: 4 * DAY, limit: 10 },
      endOf,
      100 * DAY,
    );
    expect(fitted.bars.map((item) => item.close)).toEqual([2, 3, 4]);
    expect(fitted.outside).toBe(2);
  });

  it('keeps the latest bars without start', () => {
    const fitted = fitWindow(
      bars,
      { start: null, end: 4 * DAY, limit: 2 },
      endOf,
      100 * DAY,
    );
    expect(fitted.bars.map((item) => item.close)).toEqual([3, 4]);
    expect(fitted.outside).toBe(3);
  });

  it('drops repeated times', () => {
    const repeated = [bar(1), bar(2, 20, 'a'), bar(2, 21, 'b'), bar(3)];
    const fitted = fitWindow(
      repeated,
      { start: null, end: 9 * DAY, limit: 9 },
      endOf,
      100 * DAY,
    );
    expect(fitted.bars.map((item) => item.close)).toEqual([1, 21, 3]);
    expect(fitted.duplicate).toBe(1);
  });

  it('marks forming bars incomplete', () => {
    const fitted = fitWindow(
      bars,
      { start: null, end: 9 * DAY, limit: 9 },
      endOf,
      5.5 * DAY,
    );
    expect(fitted.bars.at(-1)?.complete).toBe(false);
    expect(fitted.bars.at(-2)?.complete).toBe(true);
  });

  it('leaves out the source key', () => {
    const fitted = fitWindow(
      [bar(1)],
      { start: null, end: 9 * DAY, limit: 9 },
      endOf,
      100 * DAY,
    );
    expect(fitted.bars[0]).not.toHaveProperty('sourceKey');
  });
});
