import { describe, expect, it } from 'vitest';
import { parseSymbol } from '../../market/symbol.js';
import { fromAlpacaSymbol, toAlpacaSymbol } from './alpaca-symbols.js';

describe('toAlpacaSymbol', () => {
  it.each([
    ['AAPL', { market: 'stocks', symbol: 'AAPL' }],
    ['BRK-B', { market: 'stocks', symbol: 'BRK.B' }],
    ['BTC-USD', { market: 'crypto', symbol: 'BTC/USD' }],
    ['ETHBTC', { market: 'crypto', symbol: 'ETH/BTC' }],
    ['SOL-USDT', { market: 'crypto', symbol: 'SOL/USDT' }],
  ])('maps %s', (text, expected) => {
    expect(toAlpacaSymbol(parseSymbol(text))).toEqual(expected);
  });

  it.each(['^GSPC', 'EUR-USD', '4063.T'])('does not serve %s', (text) => {
    expect(toAlpacaSymbol(parseSymbol(text))).toBeNull();
  });
});

describe('fromAlpacaSymbol', () => {
  it('reads a crypto pair', () => {
    expect(fromAlpacaSymbol('BTC/USD')).toEqual({
      symbol: 'BTC-USD',
      assetClass: 'crypto',
      base: 'BTC',
      quote: 'USD',
    });
  });

  it('reads a share class', () => {
    expect(fromAlpacaSymbol('BRK.B')).toEqual({
      symbol: 'BRK.B',
      assetClass: 'equity',
    });
  });

  it('rejects a fiat pair', () => {
    expect(fromAlpacaSymbol('EUR/USD')).toBeNull();
  });

  it('rejects unknown characters', () => {
    expect(fromAlpacaSymbol('AAPL:US')).toBeNull();
  });

  it.each(['AAPL', 'BRK.B', 'BTC-USD', 'ETH-BTC'])('round-trips %s', (text) => {
    const instrument = parseSymbol(text);
    const mapped = toAlpacaSymbol(instrument);
    expect(mapped).not.toBeNull();
    expect(fromAlpacaSymbol(mapped?.symbol ?? '')).toEqual(instrument);
  });
});
