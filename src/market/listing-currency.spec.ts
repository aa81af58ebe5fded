import { describe, expect, it } from 'vitest';
import { parseSymbol } from './symbol.js';
import { currencyOf } from './listing-currency.js';

describe('currencyOf', () => {
  it.each([
    ['AAPL', 'USD'],
    ['BRK.A', 'USD'],
    ['^GSPC', 'USD'],
    ['4063.T', 'JPY'],
    ['VOD.L', 'GBP'],
    ['SAP.DE', 'EUR'],
    ['SHOP.TO', 'CAD'],
    ['BTC-USD', 'USD'],
    ['ADA-BTC', 'BTC'],
    ['EUR-JPY', 'JPY'],
  ])('quotes %s in %s', (symbol, currency) => {
    expect(currencyOf(parseSymbol(symbol))).toBe(currency);
  });
});
