import { describe, expect, it } from 'vitest';
import type { Bar } from '../../market/bar.js';
import { barsBetween, firstAtOrAfter } from './bar-search.js';

const BARS: Bar[] = [10, 20, 20, 30].map((time) => ({
  time,
  open: 1,
  high: 1,
  low: 1,
  close: 1,
  volume: 1,
  complete: true,
}));

describe('firstAtOrAfter', () => {
  it.each([
    [5, 0],
    [10, 0],
    [15, 1],
    [20, 1],
    [30, 3],
    [31, 4],
  ])('places time %i at index %i', (time, index) => {
    expect(firstAtOrAfter(BARS, time)).toBe(index);
  });

  it('returns zero for no bars', () => {
    expect(firstAtOrAfter([], 5)).toBe(0);
  });
});

describe('barsBetween', () => {
  it('keeps from and drops until', () => {
    expect(barsBetween(BARS, 20, 30).map((bar) => bar.time)).toEqual([20, 20]);
  });

  it('accepts infinite bounds', () => {
    expect(
      barsBetween(BARS, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY),
    ).toHaveLength(4);
  });
});
