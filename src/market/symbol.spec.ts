import { describe, expect, it } from 'vitest';
import { InvalidParameterError } from '../common/api.errors.js';
import { parseSymbol, type SymbolContext } from './symbol.js';

describe('parseSymbol', () => {
  it.each([
    ['brk.b', 'BRK.B'],
    ['BRK-B', 'BRK.B'],
    ['BRK-A', 'BRK.A'],
    ['4063-T', '4063.T'],
    [' aapl ', 'AAPL'],
    ['msft', 'MSFT'],
  ])('reads equity %s as %s', (input, symbol) => {
    const parsed = parseSymbol(input, { context: 'equity' });
    expect(parsed.symbol).toBe(symbol);
    expect(parsed.assetClass).toBe('equity');
  });

  it('reads a slash share class in query strings', () => {
    expect(parseSymbol('BRK/B', { allowSlash: true }).symbol).toBe('BRK.B');
  });

  it('rejects a slash in paths', () => {
    expect(() => parseSymbol('BRK/B')).toThrow(InvalidParameterError);
  });

  it('reads indices with a caret', () => {
    expect(parseSymbol('^gspc')).toEqual({
      symbol: '^GSPC',
      assetClass: 'index',
    });
  });

  it.each<[string, SymbolContext, string, string]>([
    ['BTC-USD', 'any', 'BTC-USD', 'crypto'],
    ['btcusd', 'any', 'BTC-USD', 'crypto'],
    ['BTCUSDT', 'crypto', 'BTC-USDT', 'crypto'],
    ['ADABTC', 'crypto', 'ADA-BTC', 'crypto'],
    ['BTC', 'crypto', 'BTC-USD', 'crypto'],
    ['NU-GBP', 'crypto', 'NU-GBP', 'crypto'],
    ['1inch-usd', 'crypto', '1INCH-USD', 'crypto'],
    ['EUR-USD', 'forex', 'EUR-USD', 'forex'],
    ['EURUSD', 'forex', 'EUR-USD', 'forex'],
    ['eurusd', 'any', 'EUR-USD', 'forex'],
  ])('reads pair %s in %s context', (input, context, symbol, assetClass) => {
    const parsed = parseSymbol(input, { context, allowSlash: true });
    expect(parsed.symbol).toBe(symbol);
    expect(parsed.assetClass).toBe(assetClass);
  });

  it('reads a slash pair in query strings', () => {
    const parsed = parseSymbol('BTC/USD', { allowSlash: true });
    expect(parsed).toEqual({
      symbol: 'BTC-USD',
      assetClass: 'crypto',
      base: 'BTC',
      quote: 'USD',
    });
  });

  it('keeps six-letter tickers as equities on stock routes', () => {
    expect(parseSymbol('EURUSD', { context: 'equity' }).assetClass).toBe(
      'equity',
    );
  });

  it.each<[string, SymbolContext, RegExp]>([
    ['', 'any', /must not be empty/],
    ['AAPL$', 'any', /not allowed/],
    ['<script>', 'any', /not allowed/],
    ['A'.repeat(40), 'any', /longer than 32/],
    ['BTC-USD', 'equity', /\/api\/crypto\/BTC-USD/],
    ['EUR-USD', 'crypto', /\/api\/forex\/EUR-USD/],
    ['BTC-USD', 'forex', /\/api\/crypto\/BTC-USD/],
    ['AAPL', 'crypto', /not a crypto pair/],
    ['NU-XYZ', 'crypto', /not a crypto pair/],
    ['AAPL', 'forex', /not a currency pair/],
    ['^GSPC', 'crypto', /index/],
    ['^', 'any', /caret followed by/],
    ['A..B', 'any', /not a valid ticker/],
  ])('rejects %j in %s context', (input, context, message) => {
    const attempt = () => parseSymbol(input, { context, parameter: 'symbol' });
    expect(attempt).toThrow(InvalidParameterError);
    expect(attempt).toThrow(message);
  });

  it('names the parameter in errors', () => {
    expect(() => parseSymbol('bad$', { parameter: 'symbols' })).toThrow(
      expect.objectContaining({ parameter: 'symbols', value: 'bad$' }),
    );
  });
});
