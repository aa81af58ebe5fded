import { describe, expect, it } from 'vitest';
import { searchUniverse } from './symbol-search.js';
import { buildUniverse } from './universe.js';

const entries = [...buildUniverse(42).values()];

function symbolsFor(query: string, limit = 10): string[] {
  return searchUniverse(entries, query, limit, 'simulated').map(
    (match) => match.symbol,
  );
}

describe('searchUniverse', () => {
  it('lists symbol prefixes first', () => {
    const found = symbolsFor('a', 50);
    expect(found.slice(0, 2)).toEqual(['AAPL', 'AMZN']);
    expect(found).toContain('JPM');
  });

  it('lists name matches after symbols', () => {
    expect(symbolsFor('me')).toEqual(['META', 'HD']);
  });

  it('ignores case and punctuation', () => {
    expect(symbolsFor('gspc')).toEqual(['^GSPC']);
    expect(symbolsFor('eurusd')).toEqual(['EUR-USD']);
    expect(symbolsFor('brk-b')).toEqual(['BRK.B']);
  });

  it('finds names by substring', () => {
    expect(symbolsFor('coca')).toEqual(['KO']);
    expect(symbolsFor('dollar')).toEqual(['EUR-USD', 'GBP-USD', 'USD-JPY']);
  });

  it('stops at the limit', () => {
    expect(symbolsFor('dollar', 2)).toEqual(['EUR-USD', 'GBP-USD']);
  });

  it('returns nothing for blank queries', () => {
    expect(symbolsFor('  ')).toEqual([]);
  });

  it('describes each match', () => {
    const [match] = searchUniverse(entries, 'BTC', 1, 'simulated');
    expect(match).toEqual({
      symbol: 'BTC-USD',
      name: 'Bitcoin USD',
      assetClass: 'crypto',
      exchange: null,
      currency: 'USD',
      source: 'simulated',
    });
  });
});
