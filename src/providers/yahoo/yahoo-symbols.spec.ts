import { describe, expect, it } from 'vitest';
import { parseSymbol } from '../../market/symbol.js';
import { fromYahooSymbol, toYahooSymbol } from './yahoo-symbols.js';

describe('toYahooSymbol', () => {
  it.each([
    ['BRK.B', 'BRK-B'],
    ['brk-b', 'BRK-B'],
    ['AAPL', 'AAPL'],
    ['4063.T', '4063.T'],
    ['OCDO.L', 'OCDO.L'],
    ['WSU.DE', 'WSU.DE'],
    ['^GSPC', '^GSPC'],
    ['BTC-USD', 'BTC-USD'],
    ['EUR-USD', 'EURUSD=X'],
    ['EURUSD', 'EURUSD=X'],
  ])('maps %s to %s', (text, ticker) => {
    expect(toYahooSymbol(parseSymbol(text))).toBe(ticker);
  });
});

describe('fromYahooSymbol', () => {
  it.each([
    ['BRK-B', 'equity', 'BRK.B'],
    ['AAPL', 'equity', 'AAPL'],
    ['4063.T', 'equity', '4063.T'],
    ['^GSPC', 'index', '^GSPC'],
    ['BTC-USD', 'crypto', 'BTC-USD'],
    ['EURUSD=X', 'forex', 'EUR-USD'],
    ['JPY=X', 'forex', 'USD-JPY'],
  ] as const)('reads %s as %s %s', (ticker, assetClass, symbol) => {
    expect(fromYahooSymbol(ticker, assetClass)?.symbol).toBe(symbol);
  });

  it.each([
    ['BT-A.L', 'equity'],
    ['BTC-USD', 'equity'],
    ['EURUSD', 'forex'],
    ['EURUSD=X', 'crypto'],
    ['AAPL', 'index'],
  ] as const)('rejects %s as %s', (ticker, assetClass) => {
    expect(fromYahooSymbol(ticker, assetClass)).toBeNull();
  });

  it('round-trips canonical symbols', () => {
    for (const text of ['BRK.B', '4063.T', '^GSPC', 'BTC-USD', 'EUR-USD']) {
      const instrument = parseSymbol(text);
      const ticker = toYahooSymbol(instrument);
      expect(fromYahooSymbol(ticker, instrument.assetClass), text).toEqual(
        instrument,
      );
    }
  });
});
