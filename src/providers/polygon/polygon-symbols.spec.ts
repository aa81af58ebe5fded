import { describe, expect, it } from 'vitest';
import { parseSymbol } from '../../market/symbol.js';
import { fromPolygonTicker, toPolygonTicker } from './polygon-symbols.js';

describe('toPolygonTicker', () => {
  it.each([
    ['AAPL', 'AAPL'],
    ['BRK.B', 'BRK.B'],
    ['brk-b', 'BRK.B'],
    ['^GSPC', 'I:SPX'],
    ['^DJI', 'I:DJI'],
    ['^IXIC', 'I:COMP'],
    ['^NDX', 'I:NDX'],
    ['^RUT', 'I:RUT'],
    ['^VIX', 'I:VIX'],
    ['BTC-USD', 'X:BTCUSD'],
    ['ETH-USDT', 'X:ETHUSDT'],
    ['EUR-USD', 'C:EURUSD'],
    ['EURUSD', 'C:EURUSD'],
  ])('maps %s to %s', (symbol, ticker) => {
    expect(toPolygonTicker(parseSymbol(symbol))).toBe(ticker);
  });

  it.each(['^FTSE', '^N225', '4063.T', 'SAP.DE'])(
    'rejects unlisted %s',
    (symbol) => {
      expect(toPolygonTicker(parseSymbol(symbol))).toBeNull();
    },
  );
});

describe('fromPolygonTicker', () => {
  it.each([
    ['AAPL', 'AAPL', 'equity'],
    ['BRK.B', 'BRK.B', 'equity'],
    ['I:SPX', '^GSPC', 'index'],
    ['I:COMP', '^IXIC', 'index'],
    ['X:BTCUSD', 'BTC-USD', 'crypto'],
    ['X:BTCUSDT', 'BTC-USDT', 'crypto'],
    ['C:EURUSD', 'EUR-USD', 'forex'],
  ])('reads %s as %s', (ticker, symbol, assetClass) => {
    expect(fromPolygonTicker(ticker)).toMatchObject({ symbol, assetClass });
  });

  it('reads pair currencies', () => {
    expect(fromPolygonTicker('X:BTCUSD')).toEqual({
      symbol: 'BTC-USD',
      assetClass: 'crypto',
      base: 'BTC',
      quote: 'USD',
    });
  });

  it('matches the symbol parser', () => {
    for (const ticker of ['BRK.B', 'X:ETHUSDT', 'C:GBPJPY', 'I:NDX']) {
      const instrument = fromPolygonTicker(ticker);
      expect(instrument).toEqual(parseSymbol(instrument?.symbol ?? ''));
    }
  });

  it.each(['O:NCLH221014C00005000', 'I:XYZ', 'X:QQQZZZ', 'brk.b', ''])(
    'skips %s',
    (ticker) => {
      expect(fromPolygonTicker(ticker)).toBeNull();
    },
  );

  it('round-trips every mapped index', () => {
    for (const symbol of ['^GSPC', '^DJI', '^IXIC', '^NDX', '^RUT', '^VIX']) {
      const ticker = toPolygonTicker(parseSymbol(symbol)) ?? '';
      expect(fromPolygonTicker(ticker)?.symbol).toBe(symbol);
    }
  });
});
