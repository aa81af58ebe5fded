import { describe, expect, it } from 'vitest';
import { matchProducts, type CatalogEntry } from './coinbase-catalog.js';
import { fromProductId } from './coinbase-symbols.js';

function entry(id: string): CatalogEntry {
  const instrument = fromProductId(id);
  if (!instrument) throw new Error(`${id} is not a crypto pair`);
  const [base = '', quote = ''] = id.split('-');

  return {
    instrument,
    product: {
      id,
      base_currency: base,
      quote_currency: quote,
      display_name: id,
      status: 'online',
    },
  };
}

const ENTRIES = [
  'ETH-BTC',
  'BTC-USDT',
  'SOL-USD',
  'BTC-EUR',
  'USDT-USD',
  'BTC-USD',
  'ETH-USD',
  'WBTC-BTC',
].map(entry);

function symbols(text: string, limit = 10): string[] {
  return matchProducts(ENTRIES, text, limit).map((match) => match.symbol);
}

describe('matchProducts', () => {
  it.each(['BTC-USD', 'btc-usd', 'BTC/USD', 'btcusd'])(
    'puts the pair %s first',
    (text) => {
      expect(symbols(text)[0]).toBe('BTC-USD');
    },
  );

  it('ranks a base code before quotes', () => {
    expect(symbols('btc')).toEqual([
      'BTC-EUR',
      'BTC-USD',
      'BTC-USDT',
      'ETH-BTC',
      'WBTC-BTC',
    ]);
  });

  it('finds pairs of a quote code', () => {
    expect(symbols('usdt')).toEqual(['USDT-USD', 'BTC-USDT']);
  });

  it('stops at the limit', () => {
    expect(symbols('btc', 2)).toEqual(['BTC-EUR', 'BTC-USD']);
  });

  it('finds nothing for a name', () => {
    expect(symbols('bitcoin')).toEqual([]);
  });

  it('ignores text without letters', () => {
    expect(symbols(' / ')).toEqual([]);
  });

  it('builds crypto matches', () => {
    expect(matchProducts(ENTRIES, 'SOL-USD', 1)).toEqual([
      {
        symbol: 'SOL-USD',
        name: 'SOL-USD',
        assetClass: 'crypto',
        exchange: null,
        currency: 'USD',
        source: 'coinbase',
      },
    ]);
  });
});
