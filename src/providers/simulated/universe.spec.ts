import { describe, expect, it } from 'vitest';
import { InvalidParameterError } from '../../common/api.errors.js';
import { buildUniverse, priceDecimals } from './universe.js';

describe('buildUniverse built-in table', () => {
  const universe = buildUniverse(42);

  it('lists about 25 instruments', () => {
    expect(universe.size).toBeGreaterThanOrEqual(20);
    expect(universe.size).toBeLessThanOrEqual(30);
  });

  it('covers every asset class', () => {
    const classes = new Set(
      [...universe.values()].map((entry) => entry.instrument.assetClass),
    );
    expect([...classes].sort()).toEqual(['crypto', 'equity', 'forex', 'index']);
  });

  it.each([
    ['AAPL', 'equity', 'XNAS'],
    ['BRK.B', 'equity', 'XNYS'],
    ['^GSPC', 'index', null],
    ['BTC-USD', 'crypto', null],
    ['USD-JPY', 'forex', null],
  ])('describes %s', (symbol, assetClass, exchange) => {
    const entry = universe.get(symbol);
    expect(entry?.instrument.assetClass).toBe(assetClass);
    expect(entry?.exchange).toBe(exchange);
    expect(entry?.name).toEqual(expect.any(String));
  });

  it('quotes pairs in their quote currency', () => {
    expect(universe.get('USD-JPY')?.currency).toBe('JPY');
    expect(universe.get('USD-JPY')?.decimals).toBe(3);
    expect(universe.get('EUR-USD')?.decimals).toBe(5);
  });

  it('keeps volatility per asset class', () => {
    const entries = [...universe.values()];
    const volatilities = (assetClass: string) =>
      entries
        .filter((entry) => entry.instrument.assetClass === assetClass)
        .map((entry) => entry.dailyVolatility);
    expect(Math.max(...volatilities('forex'))).toBeLessThan(
      Math.min(...volatilities('index')),
    );
    expect(Math.max(...volatilities('index'))).toBeLessThan(
      Math.min(...volatilities('crypto')),
    );
  });

  it('reports no volume for indices and pairs', () => {
    expect(universe.get('^DJI')?.averageVolume).toBeNull();
    expect(universe.get('GBP-USD')?.averageVolume).toBeNull();
    expect(universe.get('ETH-USD')?.averageVolume).toBeGreaterThan(0);
  });
});

function basePriceOfXyz(seed: number): number | undefined {
  return buildUniverse(seed, ['XYZ']).get('XYZ')?.basePrice;
}

describe('buildUniverse with symbols', () => {
  it('replaces the table', () => {
    const universe = buildUniverse(42, ['aapl', 'XYZ', 'eurusd']);
    expect([...universe.keys()]).toEqual(['AAPL', 'XYZ', 'EUR-USD']);
  });

  it('keeps details of listed symbols', () => {
    const universe = buildUniverse(42, ['BRK-B']);
    expect(universe.get('BRK.B')?.name).toBe('Berkshire Hathaway Inc. Class B');
  });

  it('gives unlisted symbols a generic profile', () => {
    const entry = buildUniverse(42, ['XYZ']).get('XYZ');
    expect(entry?.name).toBeNull();
    expect(entry?.currency).toBe('USD');
    expect(entry?.country).toBe('US');
    expect(entry?.basePrice).toBeGreaterThanOrEqual(10);
    expect(entry?.basePrice).toBeLessThanOrEqual(500);
  });

  it('names unlisted pairs by their currencies', () => {
    const entry = buildUniverse(42, ['AUD-CAD']).get('AUD-CAD');
    expect(entry?.name).toBe('AUD/CAD');
    expect(entry?.currency).toBe('CAD');
  });

  it('prices foreign listings in local currency', () => {
    expect(buildUniverse(42, ['7203.T']).get('7203.T')?.currency).toBe('JPY');
  });

  it('draws base prices from the seed', () => {
    expect(basePriceOfXyz(1)).toBe(basePriceOfXyz(1));
    expect(basePriceOfXyz(1)).not.toBe(basePriceOfXyz(2));
  });

  it('uses the table for an empty list', () => {
    expect(buildUniverse(42, []).has('AAPL')).toBe(true);
  });

  it('rejects a malformed symbol', () => {
    expect(() => buildUniverse(42, ['BAD SYMBOL'])).toThrow(
      InvalidParameterError,
    );
  });
});

describe('priceDecimals', () => {
  it.each([
    ['equity', 190, 2],
    ['crypto', 0.15, 4],
    ['crypto', 0.000_02, 8],
    ['forex', 1.08, 5],
    ['forex', 150, 3],
  ] as const)('rounds %s at %d to %d places', (assetClass, price, places) => {
    expect(priceDecimals(assetClass, price)).toBe(places);
  });
});
