import { describe, expect, it } from 'vitest';
import type { Interval } from '../../market/interval.js';
import { parseSymbol } from '../../market/symbol.js';
import type { HistoryQuery } from '../market-data-source.js';
import { barsRequest, barWindow } from './bar-request.js';

const day = (date: string) => Date.parse(`${date}T00:00:00Z`);

function query(
  symbol: string,
  interval: Interval,
  start: number | null,
  end: number,
  overrides: Partial<HistoryQuery> = {},
): HistoryQuery {
  return {
    instrument: parseSymbol(symbol),
    interval,
    start,
    end,
    limit: 100,
    adjusted: true,
    ...overrides,
  };
}

describe('barWindow', () => {
  it('spans New York days in winter', () => {
    const window = barWindow(
      query('AAPL', '1d', day('2022-02-01'), day('2022-02-02')),
    );
    expect(window).toEqual({
      start: Date.parse('2022-02-01T05:00:00Z'),
      end: Date.parse('2022-02-03T04:59:59.999Z'),
      sort: 'asc',
    });
  });

  it('spans New York days in summer', () => {
    const window = barWindow(
      query('AAPL', '1d', day('2022-06-08'), day('2022-06-08')),
    );
    expect(window.start).toBe(Date.parse('2022-06-08T04:00:00Z'));
    expect(window.end).toBe(Date.parse('2022-06-09T03:59:59.999Z'));
  });

  it('spans UTC days for crypto', () => {
    const window = barWindow(
      query('BTC-USD', '1d', day('2022-02-01'), day('2022-02-01')),
    );
    expect(window.start).toBe(day('2022-02-01'));
    expect(window.end).toBe(Date.parse('2022-02-01T23:59:59.999Z'));
  });

  it('starts weeks a day early', () => {
    const window = barWindow(
      query('AAPL', '1wk', day('2022-02-07'), day('2022-02-14')),
    );
    expect(window.start).toBe(Date.parse('2022-02-06T05:00:00Z'));
  });

  it('keeps intraday bounds', () => {
    const start = Date.parse('2021-10-15T16:00:00.250Z');
    const end = Date.parse('2021-10-15T17:00:00Z');
    expect(barWindow(query('AMZN', '15m', start, end))).toEqual({
      start,
      end,
      sort: 'asc',
    });
  });

  it('reads the latest bars newest first', () => {
    const window = barWindow(
      query('AMZN', '1m', null, Date.parse('2021-10-15T17:00:00Z')),
    );
    expect(window.sort).toBe('desc');
    expect(window.start).toBe(Date.parse('2000-01-01T00:00:00Z'));
  });
});

describe('barsRequest', () => {
  const window = {
    start: Date.parse('2021-10-15T16:00:00.250Z'),
    end: Date.parse('2021-10-15T17:00:00Z'),
    sort: 'asc' as const,
  };

  it('builds a stock request', () => {
    const request = barsRequest(
      { market: 'stocks', symbol: 'BRK.B' },
      query('BRK.B', '15m', window.start, window.end),
      window,
      { feed: 'sip' },
    );
    expect(request).toEqual({
      path: '/v2/stocks/BRK.B/bars',
      query: {
        timeframe: '15Min',
        start: '2021-10-15T16:00:00Z',
        end: '2021-10-15T17:00:00Z',
        limit: 100,
        sort: 'asc',
        page_token: undefined,
        adjustment: 'all',
        feed: 'sip',
      },
    });
  });

  it('builds a crypto request', () => {
    const request = barsRequest(
      { market: 'crypto', symbol: 'BTC/USD' },
      query('BTC-USD', '1h', window.start, window.end, { adjusted: false }),
      window,
      { feed: 'iex', pageToken: 'abc=' },
    );
    expect(request.path).toBe('/v1beta3/crypto/us/bars');
    expect(request.query).toEqual({
      symbols: 'BTC/USD',
      timeframe: '1Hour',
      start: '2021-10-15T16:00:00Z',
      end: '2021-10-15T17:00:00Z',
      limit: 100,
      sort: 'asc',
      page_token: 'abc=',
    });
  });

  it('caps the page size', () => {
    const request = barsRequest(
      { market: 'stocks', symbol: 'AAPL' },
      query('AAPL', '1m', window.start, window.end, { limit: 50_001 }),
      window,
      { feed: 'iex' },
    );
    expect(request.query.limit).toBe(10_000);
  });

  it('encodes the path segment', () => {
    const request = barsRequest(
      { market: 'stocks', symbol: 'A/B' },
      query('AAPL', '1d', window.start, window.end),
      window,
      { feed: 'iex' },
    );
    expect(request.path).toBe('/v2/stocks/A%2FB/bars');
  });
});
