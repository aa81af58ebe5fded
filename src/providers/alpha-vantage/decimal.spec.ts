import { describe, expect, it } from 'vitest';
import { readDecimal } from './decimal.js';

describe('readDecimal', () => {
  it.each([
    ['112.6300', 112.63],
    ['-0.6600', -0.66],
    ['-0.5852%', -0.5852],
    ['29062853', 29_062_853],
    ['1.5e3', 1500],
    [' 7 ', 7],
  ])('reads %s', (text, expected) => {
    expect(readDecimal(text)).toBe(expected);
  });

  it.each(['None', 'null', '-', '--', '', 'NaN', 'Infinity', '0x10', '1,000'])(
    'rejects %j',
    (text) => {
      expect(readDecimal(text)).toBeNull();
    },
  );

  it('passes finite numbers through', () => {
    expect(readDecimal(3.5)).toBe(3.5);
  });

  it('rejects missing values', () => {
    expect(readDecimal(undefined)).toBeNull();
  });
});
