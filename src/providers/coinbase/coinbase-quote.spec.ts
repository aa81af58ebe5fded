import { describe, expect, it } from 'vitest';
import { parseSymbol } from '../../market/symbol.js';
import { buildQuote } from './coinbase-quote.js';
import type { Stats, Ticker } from './coinbase-schemas.js';

const BTC_USD = parseSymbol('BTC-USD', { context: 'crypto' });
const TRADE_TIME = Date.parse('2024-03-15T14:29:59.823Z');

const ticker: Ticker = {
  price: 68512.44,
  size: 0.00147,
  bid: 68512.43,
  ask: 68512.44,
  volume: 24031.51768811,
  time: TRADE_TIME,
};

const stats: Stats = {
  open: 70812.27,
  high: 72357.13,
  low: 65630,
  last: 68512.44,
  volume: 24031.51768811,
  volume_30day: 512744.93264,
};

describe('buildQuote', () => {
  it('uses the 24-hour open as previous close', () => {
    const { quote } = buildQuote(BTC_USD, ticker, stats);
    expect(quote.previousClose).toBe(70812.27);
    expect(quote.open).toBe(70812.27);
    expect(quote.change).toBe(-2299.83);
    expect(quote.changePercent).toBe(-3.2478);
  });

  it('keeps the ticker price and time', () => {
    const { quote } = buildQuote(BTC_USD, ticker, stats);
    expect(quote.price).toBe(68512.44);
    expect(quote.asOf).toBe(TRADE_TIME);
    expect(quote.session).toBe('regular');
    expect(quote.currency).toBe('USD');
  });

  it('leaves 24-hour fields null without stats', () => {
    const { quote } = buildQuote(BTC_USD, ticker, null);
    expect(quote.change).toBeNull();
    expect(quote.previousClose).toBeNull();
    expect(quote.high).toBeNull();
    expect(quote.volume).toBe(24031.51768811);
  });

  it('drops a crossed bid and ask', () => {
    const crossed = { ...ticker, bid: 68600, ask: 68500 };
    const { quote, dropped } = buildQuote(BTC_USD, crossed, stats);
    expect(quote.bid).toBeNull();
    expect(quote.ask).toBeNull();
    expect(dropped).toEqual(['bid and ask (bid 68600 > ask 68500)']);
  });

  it('drops a low above the high', () => {
    const inverted = { ...stats, high: 65000, low: 72000 };
    const { quote, dropped } = buildQuote(BTC_USD, ticker, inverted);
    expect(quote.high).toBeNull();
    expect(quote.low).toBeNull();
    expect(dropped).toHaveLength(1);
  });

  it('ignores a zero 24-hour open', () => {
    const { quote } = buildQuote(BTC_USD, ticker, { ...stats, open: 0 });
    expect(quote.previousClose).toBeNull();
    expect(quote.changePercent).toBeNull();
  });
});
