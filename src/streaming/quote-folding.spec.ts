import { describe, expect, it } from 'vitest';
import type { Quote } from '../market/quote.js';
import { foldTick } from './quote-folding.js';

const BASE: Quote = {
  symbol: 'AAPL',
  assetClass: 'equity',
  currency: 'USD',
  exchange: 'XNAS',
  price: 100,
  change: 2,
  changePercent: 2.0408,
  previousClose: 98,
  open: 99,
  high: 101,
  low: 97.5,
  volume: 1000,
  bid: 99.9,
  ask: 100.1,
  session: 'regular',
  asOf: 1_000,
  source: 'polygon',
  stale: true,
  delayed: 0,
};

describe('foldTick', () => {
  it('takes price, time and source from the tick', () => {
    const folded = foldTick(BASE, {
      symbol: 'AAPL',
      price: 102,
      size: 50,
      time: 2_000,
      source: 'replay',
    });

    expect(folded).toMatchObject({
      price: 102,
      asOf: 2_000,
      source: 'replay',
      stale: false,
      change: 4,
      high: 102,
      low: 97.5,
      volume: 1050,
      bid: 99.9,
      ask: 100.1,
    });
    expect(folded.changePercent).toBe(4.0816);
  });

  it('takes bid and ask from the tick when present', () => {
    const folded = foldTick(BASE, {
      symbol: 'AAPL',
      price: 97,
      bid: 96.9,
      ask: 97.1,
      time: 2_000,
      source: 'simulated',
    });

    expect(folded).toMatchObject({ bid: 96.9, ask: 97.1, low: 97, high: 101 });
  });

  it('drops float artefacts from change', () => {
    const folded = foldTick(
      { ...BASE, previousClose: 112 },
      { symbol: 'AAPL', price: 109.74, time: 2_000, source: 'simulated' },
    );

    expect(folded.change).toBe(-2.26);
    expect(folded.changePercent).toBe(-2.0179);
  });

  it('leaves change empty without a previous close', () => {
    const folded = foldTick(
      { ...BASE, previousClose: null },
      { symbol: 'AAPL', price: 101, time: 2_000, source: 'replay' },
    );

    expect(folded.change).toBeNull();
    expect(folded.changePercent).toBeNull();
  });
});
