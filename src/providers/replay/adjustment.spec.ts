import { describe, expect, it } from 'vitest';
import {
  adjustedPricesOf,
  hasOneAdjustedSource,
  publicBar,
  viewBars,
} from './adjustment.js';
import type { StoredBar } from './replay-series.js';

const raw = { open: 20, high: 22, low: 18, close: 20, volume: 1000 };

function stored(withAdjusted: boolean): StoredBar {
  return {
    time: 0,
    date: '1970-01-01',
    ...raw,
    complete: true,
    ...(withAdjusted
      ? {
          adjClose: 10,
          adjusted: { open: 10, high: 11, low: 9, close: 10, volume: 1000 },
        }
      : {}),
  };
}

describe('adjustedPricesOf', () => {
  it('scales by the adjusted close', () => {
    expect(adjustedPricesOf(raw, { close: 10 })).toEqual({
      open: 10,
      high: 11,
      low: 9,
      close: 10,
      volume: 1000,
    });
  });

  it('uses full adjusted columns', () => {
    expect(
      adjustedPricesOf(raw, {
        open: 4,
        high: 5,
        low: 3,
        close: 4.5,
        volume: 5000,
      }),
    ).toEqual({ open: 4, high: 5, low: 3, close: 4.5, volume: 5000 });
  });

  it('keeps volume without adjusted volume', () => {
    expect(
      adjustedPricesOf(raw, { open: 4, high: 5, low: 3, close: 4.5 })?.volume,
    ).toBe(1000);
  });

  it('needs an adjusted close', () => {
    expect(adjustedPricesOf(raw, { open: 4 })).toBeUndefined();
  });

  it('skips a zero close', () => {
    expect(
      adjustedPricesOf({ ...raw, close: 0 }, { close: 1 }),
    ).toBeUndefined();
  });
});

describe('viewBars', () => {
  it('serves raw bars as stored', () => {
    const [bar] = viewBars([stored(true)], false);
    expect(bar).toEqual({
      time: 0,
      date: '1970-01-01',
      ...raw,
      adjClose: 10,
      complete: true,
    });
  });

  it('serves adjusted prices when asked', () => {
    const [bar] = viewBars([stored(true)], true);
    expect(bar).toEqual({
      time: 0,
      date: '1970-01-01',
      open: 10,
      high: 11,
      low: 9,
      close: 10,
      volume: 1000,
      complete: true,
    });
  });

  it('keeps unadjustable bars as stored', () => {
    const [bar] = viewBars([stored(false)], true);
    expect(bar?.close).toBe(20);
  });
});

function from(origin: string, withAdjusted = true): StoredBar {
  return { ...stored(withAdjusted), origin };
}

describe('hasOneAdjustedSource', () => {
  it('accepts one adjusted file', () => {
    expect(hasOneAdjustedSource([from('a.csv'), from('a.csv')])).toBe(true);
  });

  it('rejects a mix with raw', () => {
    expect(hasOneAdjustedSource([from('a.csv'), from('a.csv', false)])).toBe(
      false,
    );
  });

  it('rejects two adjusted files', () => {
    expect(hasOneAdjustedSource([from('a.csv'), from('b.csv')])).toBe(false);
  });

  it('rejects no bars', () => {
    expect(hasOneAdjustedSource([])).toBe(false);
  });
});

describe('publicBar', () => {
  it('drops internal fields', () => {
    const bar = publicBar({ ...stored(true), origin: 'a.csv' });
    expect(bar).not.toHaveProperty('adjusted');
    expect(bar).not.toHaveProperty('origin');
  });
});
