import { describe, expect, it } from 'vitest';
import { hasDecimalComma, parseNumber } from './csv-number.js';

describe('parseNumber', () => {
  it('keeps float artefacts as written', () => {
    expect(parseNumber('523.4200440000001')).toBe(523.4200440000001);
  });

  it('reads tiny prices exactly', () => {
    expect(parseNumber('0.00002853')).toBe(0.00002853);
  });

  it('drops thousands separators', () => {
    expect(parseNumber('4,787,699')).toBe(4787699);
  });

  it('reads exponent notation', () => {
    expect(parseNumber('1.5e3')).toBe(1500);
  });

  it('ignores a leading dollar sign', () => {
    expect(parseNumber('$259.59')).toBe(259.59);
  });

  it.each(['', ' ', 'null', 'NaN', 'None', 'N/A', '-'])(
    'reads "%s" as missing',
    (cell) => {
      expect(parseNumber(cell)).toBeNull();
    },
  );

  it.each(['abc', '1,2', '12:30', 'Infinity', '0x1A', '1.2.3'])(
    'rejects "%s" as not a number',
    (cell) => {
      expect(parseNumber(cell)).toBeUndefined();
    },
  );

  it('reads a decimal comma', () => {
    expect(parseNumber('123,45', true)).toBe(123.45);
  });

  it('reads dot thousands with a decimal comma', () => {
    expect(parseNumber('1.234,5', true)).toBe(1234.5);
  });
});

describe('hasDecimalComma', () => {
  it('finds a decimal comma', () => {
    expect(hasDecimalComma('123,45')).toBe(true);
  });

  it('finds dot thousands before a comma', () => {
    expect(hasDecimalComma('1.234,5')).toBe(true);
  });

  it('reads three digits as thousands', () => {
    expect(hasDecimalComma('4,787')).toBe(false);
  });

  it('ignores a decimal dot', () => {
    expect(hasDecimalComma('123.45')).toBe(false);
  });
});
