import { describe, expect, it } from 'vitest';
import { parseSymbol } from '../../market/symbol.js';
import { fromProductId, toProductId } from './coinbase-symbols.js';

describe('toProductId', () => {
  it.each([
    ['BTC-USD', 'BTC-USD'],
    ['btc-usd', 'BTC-USD'],
    ['BTCUSDT', 'BTC-USDT'],
    ['ETH-BTC', 'ETH-BTC'],
    ['USDT-EUR', 'USDT-EUR'],
  ])('maps %s to %s', (symbol, productId) => {
    expect(toProductId(parseSymbol(symbol, { context: 'crypto' }))).toBe(
      productId,
    );
  });

  it('maps a slash pair', () => {
    const instrument = parseSymbol('BTC/USD', {
      context: 'crypto',
      allowSlash: true,
    });
    expect(toProductId(instrument)).toBe('BTC-USD');
  });

  it('maps a bare crypto code', () => {
    expect(toProductId(parseSymbol('ETH', { context: 'crypto' }))).toBe(
      'ETH-USD',
    );
  });

  it.each(['AAPL', 'EUR-USD', '^GSPC', 'BRK.B'])(
    'rejects non-crypto %s',
    (symbol) => {
      expect(toProductId(parseSymbol(symbol))).toBeNull();
    },
  );
});

describe('fromProductId', () => {
  it.each([
    ['BTC-USD', 'BTC', 'USD'],
    ['BTC-USDT', 'BTC', 'USDT'],
    ['ETH-BTC', 'ETH', 'BTC'],
    ['USDT-EUR', 'USDT', 'EUR'],
    ['btc-gbp', 'BTC', 'GBP'],
    ['SKL-USD', 'SKL', 'USD'],
    ['1INCH-USD', '1INCH', 'USD'],
  ])('reads %s', (productId, base, quote) => {
    expect(fromProductId(productId)).toEqual({
      symbol: `${base}-${quote}`,
      assetClass: 'crypto',
      base,
      quote,
    });
  });

  it.each(['EUR-USD', 'SKL-XYZ', 'BTCUSD', 'BTC-USD-PERP', 'BTC/USD', ''])(
    'rejects %s',
    (productId) => {
      expect(fromProductId(productId)).toBeNull();
    },
  );

  it('round-trips through toProductId', () => {
    const instrument = fromProductId('SOL-USDC');
    if (!instrument) throw new Error('SOL-USDC did not parse');
    expect(toProductId(instrument)).toBe('SOL-USDC');
  });
});
