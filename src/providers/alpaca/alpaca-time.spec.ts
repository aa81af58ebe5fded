import { describe, expect, it } from 'vitest';
import { formatInstant, parseInstant } from './alpaca-time.js';

describe('parseInstant', () => {
  it('truncates nanoseconds', () => {
    expect(parseInstant('2021-05-03T14:45:50.532316972Z')).toBe(
      Date.parse('2021-05-03T14:45:50.532Z'),
    );
  });

  it('reads seven fractional digits', () => {
    expect(parseInstant('2021-10-04T18:00:14.0709007Z')).toBe(
      Date.parse('2021-10-04T18:00:14.070Z'),
    );
  });

  it('applies an offset', () => {
    expect(parseInstant('2022-02-01T00:00:00-05:00')).toBe(
      Date.parse('2022-02-01T05:00:00Z'),
    );
  });

  it.each(['2022-02-01', '2022-02-30T00:00:00Z', 'null', ''])(
    'rejects %j',
    (text) => {
      expect(parseInstant(text)).toBeNull();
    },
  );
});

describe('formatInstant', () => {
  it('drops the milliseconds', () => {
    expect(formatInstant(Date.parse('2024-03-15T14:30:59.999Z'))).toBe(
      '2024-03-15T14:30:59Z',
    );
  });

  it('keeps whole seconds', () => {
    expect(formatInstant(Date.parse('2024-03-15T14:30:00Z'))).toBe(
      '2024-03-15T14:30:00Z',
    );
  });
});
