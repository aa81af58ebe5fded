import { describe, expect, it } from 'vitest';
import { ReplayCatalog } from './replay-catalog.js';
import { readReplayFile } from './replay-file.js';
import { buildProfile, searchSymbols } from './replay-profile.js';
import { mergeSeries } from './series-merge.js';

const DAYS = 'date,open,high,low,close\n2024-03-14,1,1,1,1\n2024-03-15,1,1,1,1';
const catalog = new ReplayCatalog(
  mergeSeries(
    ['AAPL', 'BRK-A', 'BTCUSD', 'EA', 'NVDA', 'ZEA'].flatMap(
      (symbol) => readReplayFile(`${symbol}.csv`, DAYS).series,
    ),
  ).series,
);

describe('buildProfile', () => {
  it('describes a pair', () => {
    expect(buildProfile(catalog.require('BTC-USD'), 1000)).toEqual({
      symbol: 'BTC-USD',
      assetClass: 'crypto',
      name: null,
      exchange: null,
      currency: 'USD',
      country: null,
      sector: null,
      industry: null,
      description: null,
      website: null,
      base: 'BTC',
      quote: 'USD',
      timeZone: 'UTC',
      coverage: { from: '2024-03-14', to: '2024-03-15' },
      source: 'replay',
      asOf: 1000,
      stale: false,
    });
  });

  it('leaves pair fields empty for equities', () => {
    const profile = buildProfile(catalog.require('EA'), 1000);
    expect(profile.base).toBeNull();
    expect(profile.quote).toBeNull();
  });
});

function symbols(query: string, limit = 10): string[] {
  return searchSymbols(catalog, query, limit).map((match) => match.symbol);
}

describe('searchSymbols', () => {
  it('puts prefix matches first', () => {
    expect(symbols('ea')).toEqual(['EA', 'ZEA']);
  });

  it('finds contained text', () => {
    expect(symbols('vd')).toEqual(['NVDA']);
  });

  it('ignores separators', () => {
    expect(symbols('btcusd')).toEqual(['BTC-USD']);
    expect(symbols('BRK-A')).toEqual(['BRK.A']);
  });

  it('honours the limit', () => {
    expect(symbols('a', 2)).toEqual(['AAPL', 'BRK.A']);
  });

  it('matches nothing for blank text', () => {
    expect(symbols(' ')).toEqual([]);
  });

  it('fills the match fields', () => {
    expect(searchSymbols(catalog, 'btc', 1)).toEqual([
      {
        symbol: 'BTC-USD',
        name: null,
        assetClass: 'crypto',
        exchange: null,
        currency: 'USD',
        source: 'replay',
      },
    ]);
  });
});
