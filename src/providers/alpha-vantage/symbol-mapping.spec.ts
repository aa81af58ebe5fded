import { describe, expect, it } from 'vitest';
import { parseSymbol } from '../../market/symbol.js';
import { fromAlphaVantage, toAlphaVantage } from './symbol-mapping.js';

const equity = (text: string) => parseSymbol(text, { context: 'equity' });

describe('toAlphaVantage', () => {
  it('keeps a plain ticker', () => {
    expect(toAlphaVantage(equity('IBM'), 'prices')).toEqual({
      kind: 'listing',
      symbol: 'IBM',
    });
  });

  it('hyphenates share classes for prices', () => {
    expect(toAlphaVantage(equity('BRK.B'), 'prices')).toEqual({
      kind: 'listing',
      symbol: 'BRK-B',
    });
  });

  it('keeps the dot for fundamentals', () => {
    expect(toAlphaVantage(equity('BRK.B'), 'fundamentals')).toEqual({
      kind: 'listing',
      symbol: 'BRK.B',
    });
  });

  it.each([
    ['TSCO.L', 'TSCO.LON'],
    ['SHOP.TO', 'SHOP.TRT'],
    ['GPV.V', 'GPV.TRV'],
    ['MBG.DE', 'MBG.DEX'],
    ['RELIANCE.BO', 'RELIANCE.BSE'],
    ['600104.SS', '600104.SHH'],
    ['000002.SZ', '000002.SHZ'],
    ['6190.HK', '6190.HKG'],
  ])('maps exchange suffix %s', (canonical, expected) => {
    expect(toAlphaVantage(equity(canonical), 'prices')).toEqual({
      kind: 'listing',
      symbol: expected,
    });
  });

  it('rejects indices', () => {
    expect(toAlphaVantage(parseSymbol('^GSPC'), 'prices')).toBeNull();
  });

  it('rejects unserved exchanges', () => {
    expect(toAlphaVantage(equity('4063.T'), 'prices')).toBeNull();
  });

  it('splits crypto pairs', () => {
    expect(toAlphaVantage(parseSymbol('BTC-USD'), 'prices')).toEqual({
      kind: 'pair',
      assetClass: 'crypto',
      from: 'BTC',
      to: 'USD',
    });
  });

  it('splits forex pairs', () => {
    expect(toAlphaVantage(parseSymbol('EURUSD'), 'prices')).toEqual({
      kind: 'pair',
      assetClass: 'forex',
      from: 'EUR',
      to: 'USD',
    });
  });
});

describe('fromAlphaVantage', () => {
  it.each([
    ['BA', 'BA'],
    ['BRK-B', 'BRK.B'],
    ['BRK.B', 'BRK.B'],
    ['brk-b', 'BRK.B'],
    ['TSCO.LON', 'TSCO.L'],
    ['6190.HKG', '6190.HK'],
    ['600104.SHH', '600104.SS'],
  ])('reads %s as %s', (text, canonical) => {
    expect(fromAlphaVantage(text)?.symbol).toBe(canonical);
  });

  it('rejects unknown exchange suffixes', () => {
    expect(fromAlphaVantage('AIR.PAR')).toBeNull();
  });

  it('rejects text that is no ticker', () => {
    expect(fromAlphaVantage('A B')).toBeNull();
  });

  it.each(['BRK.B', 'TSCO.L', '6190.HK', 'IBM'])(
    'round-trips %s through prices',
    (canonical) => {
      const mapped = toAlphaVantage(equity(canonical), 'prices');
      const text = mapped?.kind === 'listing' ? mapped.symbol : '';
      expect(fromAlphaVantage(text)?.symbol).toBe(canonical);
    },
  );
});
