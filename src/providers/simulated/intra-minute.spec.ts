import { describe, expect, it } from 'vitest';
import type { Bar } from '../../market/bar.js';
import { partialMinuteBar, priceInMinute } from './intra-minute.js';

const bar: Bar = {
  time: Date.parse('2024-03-15T14:00:00Z'),
  open: 190,
  high: 190.4,
  low: 189.7,
  close: 190.1,
  volume: 1200,
  complete: true,
};
const fractions = Array.from({ length: 101 }, (_, i) => i / 100);

function priceLine(key: number): number[] {
  return fractions.map((fraction) => priceInMinute(bar, fraction, key, 2));
}

describe('priceInMinute', () => {
  it('starts at the open', () => {
    expect(priceInMinute(bar, 0, 7, 2)).toBe(190);
  });

  it('ends at the close', () => {
    expect(priceInMinute(bar, 1, 7, 2)).toBe(190.1);
  });

  it('stays within high and low', () => {
    for (const fraction of fractions) {
      const price = priceInMinute(bar, fraction, 7, 2);
      expect(price).toBeLessThanOrEqual(bar.high);
      expect(price).toBeGreaterThanOrEqual(bar.low);
    }
  });

  it('reaches the high and the low', () => {
    const prices = fractions.flatMap((fraction) =>
      [1, 2, 3].map((key) => priceInMinute(bar, fraction, key, 2)),
    );
    expect(prices).toContain(bar.high);
    expect(prices).toContain(bar.low);
  });

  it('moves along a key-specific line', () => {
    expect(priceLine(7)).toEqual(priceLine(7));
    expect(priceLine(7)).not.toEqual(priceLine(8));
  });
});

describe('partialMinuteBar', () => {
  it('grows toward the full bar', () => {
    let previous = partialMinuteBar(bar, 0, 7, 2);
    for (const fraction of fractions.slice(1)) {
      const partial = partialMinuteBar(bar, fraction, 7, 2);
      expect(partial.high).toBeGreaterThanOrEqual(previous.high);
      expect(partial.low).toBeLessThanOrEqual(previous.low);
      expect(partial.volume ?? 0).toBeGreaterThanOrEqual(previous.volume ?? 0);
      previous = partial;
    }
  });

  it('equals the full bar at the end', () => {
    expect(partialMinuteBar(bar, 1, 7, 2)).toEqual({ ...bar, complete: false });
  });

  it('starts flat at the open', () => {
    expect(partialMinuteBar(bar, 0, 7, 2)).toEqual({
      ...bar,
      high: 190,
      low: 190,
      close: 190,
      volume: 0,
      complete: false,
    });
  });

  it('closes at the current price', () => {
    expect(partialMinuteBar(bar, 0.5, 7, 2).close).toBe(
      priceInMinute(bar, 0.5, 7, 2),
    );
  });

  it('keeps null volume', () => {
    expect(
      partialMinuteBar({ ...bar, volume: null }, 0.5, 7, 2).volume,
    ).toBeNull();
  });
});
