import { describe, expect, it } from 'vitest';
import { parseSymbol } from '../market/symbol.js';
import { cacheKey } from './cache-keys.js';

describe('cacheKey', () => {
  it('gives every spelling of a symbol one key', () => {
    const keys = ['BRK.B', 'brk.b', 'BRK-B', 'brk/b'].map((text) =>
      cacheKey('quote', parseSymbol(text, { allowSlash: true }).symbol),
    );
    expect(new Set(keys)).toEqual(new Set(['v1:quote:BRK.B']));
  });

  it('ignores the order of parameters', () => {
    expect(
      cacheKey('history', 'AAPL', { interval: '1d', adjusted: true, limit: 5 }),
    ).toBe(
      cacheKey('history', 'AAPL', { limit: 5, adjusted: true, interval: '1d' }),
    );
  });

  it('leaves out parameters without a value', () => {
    expect(cacheKey('search', 'app', { limit: 10, exchange: undefined })).toBe(
      'v1:search:app?limit=10',
    );
  });

  it('keeps kinds and values apart', () => {
    expect(cacheKey('quote', 'AAPL')).not.toBe(cacheKey('profile', 'AAPL'));
    expect(cacheKey('history', 'AAPL', { limit: 5 })).not.toBe(
      cacheKey('history', 'AAPL', { limit: 50 }),
    );
  });

  it('encodes text that would read as a separator', () => {
    expect(cacheKey('search', 'a&b=c?', { limit: 1 })).toBe(
      'v1:search:a%26b%3Dc%3F?limit=1',
    );
  });
});
