import { describe, expect, it } from 'vitest';
import type { Quote } from '../../market/quote.js';
import { checkQuote } from './quote-sanity.js';

const quote: Quote = {
  symbol: '^GSPC',
  assetClass: 'index',
  currency: 'USD',
  exchange: null,
  price: 3822.39,
  change: 10.2,
  changePercent: 0.2676,
  previousClose: 3812.19,
  open: 3827.38,
  high: 3834.41,
  low: 3810.2,
  volume: null,
  bid: null,
  ask: null,
  session: 'closed',
  asOf: 0,
  source: 'polygon',
  stale: false,
  delayed: 0,
};

describe('checkQuote', () => {
  it('keeps a consistent quote', () => {
    expect(checkQuote(quote)).toEqual({ quote, dropped: [] });
  });

  it('drops a low above high', () => {
    const checked = checkQuote({ ...quote, low: 38217.11 });
    expect(checked.quote.high).toBeNull();
    expect(checked.quote.low).toBeNull();
    expect(checked.quote.open).toBe(3827.38);
    expect(checked.dropped).toEqual([
      'high and low (low 38217.11 > high 3834.41)',
    ]);
  });

  it('drops a crossed bid and ask', () => {
    const checked = checkQuote({ ...quote, bid: 10.2, ask: 10.1 });
    expect(checked.quote.bid).toBeNull();
    expect(checked.quote.ask).toBeNull();
    expect(checked.dropped).toHaveLength(1);
  });

  it('keeps the price', () => {
    const checked = checkQuote({ ...quote, low: 5000, bid: 2, ask: 1 });
    expect(checked.quote.price).toBe(3822.39);
  });
});
