import { describe, expect, it } from 'vitest';
import { barEnd, canAggregate, periodStart } from './interval.js';

const at = (iso: string) => Date.parse(iso);

describe('barEnd', () => {
  it('adds the width of intraday and daily bars', () => {
    expect(barEnd(at('2024-03-15T13:30:00Z'), '5m')).toBe(
      at('2024-03-15T13:35:00Z'),
    );
    expect(barEnd(at('2024-03-15T00:00:00Z'), '1d')).toBe(
      at('2024-03-16T00:00:00Z'),
    );
  });

  it('ends a month at the next month whatever the label', () => {
    expect(barEnd(at('2012-01-31T00:00:00Z'), '1mo')).toBe(
      at('2012-02-01T00:00:00Z'),
    );
    expect(barEnd(at('2012-01-01T00:00:00Z'), '1mo')).toBe(
      at('2012-02-01T00:00:00Z'),
    );
  });

  it('ends a month at midnight of the given zone', () => {
    expect(barEnd(at('2024-02-01T00:00:00Z'), '1mo', 'America/New_York')).toBe(
      at('2024-03-01T05:00:00Z'),
    );
  });

  it('ends a week on the next Monday', () => {
    expect(barEnd(at('2024-03-13T00:00:00Z'), '1wk')).toBe(
      at('2024-03-18T00:00:00Z'),
    );
  });
});

describe('periodStart', () => {
  it('snaps weeks to Monday and months to the first', () => {
    expect(periodStart(at('2024-03-13T00:00:00Z'), '1wk')).toBe(
      at('2024-03-11T00:00:00Z'),
    );
    expect(periodStart(at('2020-01-02T00:00:00Z'), '1mo')).toBe(
      at('2020-01-01T00:00:00Z'),
    );
  });

  it('keeps other intervals', () => {
    expect(periodStart(at('2020-01-02T00:00:00Z'), '1d')).toBe(
      at('2020-01-02T00:00:00Z'),
    );
  });
});

describe('canAggregate', () => {
  it.each([
    ['1m', '5m', true],
    ['15m', '1h', true],
    ['15m', '1d', true],
    ['1d', '1wk', true],
    ['1wk', '1mo', false],
    ['1h', '30m', false],
  ] as const)('from %s to %s is %s', (fine, coarse, expected) => {
    expect(canAggregate(fine, coarse)).toBe(expected);
  });
});
