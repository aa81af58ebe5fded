import { describe, expect, it } from 'vitest';
import { UsEquityCalendar } from '../../market/exchange-calendar.js';
import { parseSymbol } from '../../market/symbol.js';
import { quoteFromPreviousClose, quoteFromSnapshot } from './polygon-quote.js';

const input = {
  instrument: parseSymbol('AAPL'),
  now: Date.parse('2022-10-19T16:05:00Z'),
  calendar: new UsEquityCalendar(),
};

describe('quoteFromSnapshot', () => {
  it('takes the last trade as the price', () => {
    const quote = quoteFromSnapshot(input, {
      ticker: 'AAPL',
      lastTrade: { p: 143.2, t: Date.parse('2022-10-19T16:04:59Z') * 1e6 },
      prevDay: { c: 140 },
    });
    expect(quote?.price).toBe(143.2);
    expect(quote?.change).toBe(3.2);
  });

  it('does not pass the previous close off as a price', () => {
    expect(
      quoteFromSnapshot(input, {
        ticker: 'AAPL',
        lastTrade: { p: null },
        day: { c: 'NaN' },
        prevDay: { c: 160 },
      }),
    ).toBeNull();
  });
});

describe('quoteFromPreviousClose', () => {
  it('reports a finished session', () => {
    const quote = quoteFromPreviousClose(input, {
      t: Date.parse('2022-10-18T04:00:00Z'),
      c: 143.75,
      o: 141,
      h: 144,
      l: 140,
      v: 1000,
    });
    expect(quote?.session).toBe('closed');
    expect(quote?.asOf).toBe(Date.parse('2022-10-18T20:00:00Z'));
  });
});
