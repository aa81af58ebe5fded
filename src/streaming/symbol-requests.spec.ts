import { describe, expect, it } from 'vitest';
import {
  DataNotAvailableError,
  SymbolNotFoundError,
} from '../common/api.errors.js';
import {
  lookupRejection,
  parseSymbolList,
  readSymbolList,
} from './symbol-requests.js';
import { StreamError } from './stream.errors.js';

describe('readSymbolList', () => {
  it('returns the symbols array', () => {
    expect(readSymbolList({ symbols: ['AAPL', 3] })).toEqual(['AAPL', 3]);
  });

  it.each([undefined, null, 'AAPL', ['AAPL'], { symbols: 'AAPL' }, {}])(
    'rejects %j',
    (body) => {
      expect(() => readSymbolList(body)).toThrow(StreamError);
    },
  );
});

describe('parseSymbolList', () => {
  it('canonicalizes and deduplicates symbols', () => {
    const { instruments, rejected } = parseSymbolList([
      'brk-b',
      'BRK.B',
      'eurusd',
    ]);

    expect(instruments.map((instrument) => instrument.symbol)).toEqual([
      'BRK.B',
      'EUR-USD',
    ]);
    expect(rejected).toEqual([]);
  });

  it('rejects entries that are not symbols', () => {
    const { instruments, rejected } = parseSymbolList(['AAPL', 42, '', 'a b']);

    expect(instruments).toHaveLength(1);
    expect(rejected.map((entry) => [entry.symbol, entry.code])).toEqual([
      ['42', 'INVALID_PARAMETER'],
      ['', 'INVALID_PARAMETER'],
      ['a b', 'INVALID_PARAMETER'],
    ]);
  });
});

describe('lookupRejection', () => {
  it('rejects an unknown symbol', () => {
    expect(lookupRejection('ZZZZ', new SymbolNotFoundError('ZZZZ'))).toEqual({
      symbol: 'ZZZZ',
      code: 'SYMBOL_NOT_FOUND',
      detail: 'Symbol ZZZZ is not known to any configured source.',
    });
  });

  it('rejects a symbol without data', () => {
    const error = new DataNotAvailableError('WIKI', 'no data after 2018');

    expect(lookupRejection('WIKI', error)?.code).toBe('DATA_NOT_AVAILABLE');
  });

  it('accepts a symbol whose sources failed', () => {
    expect(lookupRejection('AAPL', new Error('connection reset'))).toBeNull();
  });
});
