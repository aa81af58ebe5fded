import { describe, expect, it } from 'vitest';
import { parseSymbol } from '../../market/symbol.js';
import { fromFinnhubSymbol, toFinnhubSymbol } from './finnhub-symbols.js';

describe('toFinnhubSymbol', () => {
  it.each([
    ['AAPL', 'AAPL'],
    ['BRK.B', 'BRK.B'],
    ['brk-b', 'BRK.B'],
    ['BRK/B', 'BRK.B'],
  ])('maps %s to %s', (text, symbol) => {
    expect(toFinnhubSymbol(parseSymbol(text, { allowSlash: true }))).toBe(
      symbol,
    );
  });

  it.each(['^GSPC', 'BTC-USD', 'EUR-USD', 'EURUSD', '4063.T', 'PINEAPP.KL'])(
    'leaves out %s',
    (text) => {
      expect(toFinnhubSymbol(parseSymbol(text))).toBeNull();
    },
  );
});

describe('fromFinnhubSymbol', () => {
  it.each([
    ['AAPL', 'AAPL'],
    ['BRK.B', 'BRK.B'],
    ['aapl', 'AAPL'],
  ])('reads %s as %s', (text, symbol) => {
    expect(fromFinnhubSymbol(text)).toEqual({ symbol, assetClass: 'equity' });
  });

  it('reads EURUSD as a ticker', () => {
    expect(fromFinnhubSymbol('EURUSD')?.assetClass).toBe('equity');
  });

  it.each([
    '603020.SS',
    '2788.T',
    'PNPL.L',
    'PINEAPP.KL',
    'BINANCE:BTCUSDT',
    'OANDA:EUR_USD',
    '^GSPC',
    '',
  ])('leaves out %j', (text) => {
    expect(fromFinnhubSymbol(text)).toBeNull();
  });

  it('round-trips what it sends', () => {
    for (const text of ['AAPL', 'BRK.B', 'MLP']) {
      const symbol = toFinnhubSymbol(parseSymbol(text)) ?? '';
      expect(fromFinnhubSymbol(symbol)?.symbol, text).toBe(text);
    }
  });
});
