import { describe, expect, it } from 'vitest';
import { parseSymbol } from '../../market/symbol.js';
import { fromWikiTicker, toWikiTickers } from './wiki-symbols.js';

describe('toWikiTickers', () => {
  it.each([
    ['AAPL', ['AAPL']],
    ['BRK.B', ['BRK_B', 'BRK-B']],
    ['brk-b', ['BRK_B', 'BRK-B']],
    ['BF/B', ['BF_B', 'BF-B']],
  ])('maps %s', (text, tickers) => {
    expect(toWikiTickers(parseSymbol(text, { allowSlash: true }))).toEqual(
      tickers,
    );
  });

  it.each(['^GSPC', 'BTC-USD', 'EUR-USD', '4063.T', 'OCDO.L', 'ES=F'])(
    'rejects %s',
    (text) => {
      expect(toWikiTickers(parseSymbol(text))).toBeNull();
    },
  );

  it('rejects a pair read as equity', () => {
    const pair = parseSymbol('EURUSD', { context: 'forex' });
    expect(toWikiTickers(pair)).toBeNull();
  });
});

describe('fromWikiTicker', () => {
  it.each([
    ['AAPL', 'AAPL'],
    ['BRK_B', 'BRK.B'],
    ['BRK-B', 'BRK.B'],
    ['BF_B', 'BF.B'],
  ])('reads %s as %s', (ticker, symbol) => {
    expect(fromWikiTicker(ticker)).toBe(symbol);
  });

  it.each(['', 'brk_b', 'A_B_C', 'A B', 'AAPL.O'])('rejects "%s"', (text) => {
    expect(fromWikiTicker(text)).toBeNull();
  });

  it('reads back what it maps', () => {
    const instrument = parseSymbol('BRK.A');
    const tickers = toWikiTickers(instrument) ?? [];
    expect(tickers.map(fromWikiTicker)).toEqual(['BRK.A', 'BRK.A']);
  });
});
