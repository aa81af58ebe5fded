import { describe, expect, it } from 'vitest';
import type { Interval } from '../../market/interval.js';
import { parseSymbol } from '../../market/symbol.js';
import type { HistoryQuery } from '../market-data-source.js';
import { seriesRequest, weekdaysBetween } from './series-request.js';
import { toAlphaVantage, type AlphaVantageSymbol } from './symbol-mapping.js';

/** Wednesday 2024-03-13, 17:00 UTC. */
const NOW = Date.parse('2024-03-13T17:00:00Z');
const ZONE = 'America/New_York';
const day = (date: string) => Date.parse(`${date}T00:00:00Z`);

function mapped(text: string): AlphaVantageSymbol {
  const symbol = toAlphaVantage(parseSymbol(text), 'prices');
  if (!symbol) throw new Error(`${text} is not served`);

  return symbol;
}

function query(
  text: string,
  interval: Interval,
  range: Partial<HistoryQuery> = {},
): HistoryQuery {
  return {
    instrument: parseSymbol(text),
    interval,
    start: null,
    end: day('2024-03-13'),
    limit: 50,
    adjusted: true,
    ...range,
  };
}

const paramsOf = (symbol: string, q: HistoryQuery) =>
  seriesRequest(mapped(symbol), q, ZONE, NOW)?.params;

describe('seriesRequest for listings', () => {
  it('asks for compact daily bars', () => {
    expect(paramsOf('IBM', query('IBM', '1d'))).toEqual({
      function: 'TIME_SERIES_DAILY',
      symbol: 'IBM',
      outputsize: 'compact',
    });
  });

  it('asks for full daily bars', () => {
    const q = query('IBM', '1d', { start: day('2023-01-03') });
    expect(paramsOf('IBM', q)?.outputsize).toBe('full');
  });

  it('asks for full bars past 100', () => {
    expect(
      paramsOf('IBM', query('IBM', '1d', { limit: 101 }))?.outputsize,
    ).toBe('full');
  });

  it('labels daily bars raw', () => {
    const request = seriesRequest(mapped('IBM'), query('IBM', '1d'), ZONE, NOW);
    expect(request?.adjustment).toBe('raw');
  });

  it.each([
    ['1wk', 'TIME_SERIES_WEEKLY'],
    ['1mo', 'TIME_SERIES_MONTHLY'],
  ] as const)('maps %s to %s', (interval, name) => {
    expect(paramsOf('IBM', query('IBM', interval))).toEqual({
      function: name,
      symbol: 'IBM',
    });
  });

  it('hyphenates share classes', () => {
    expect(paramsOf('BRK.B', query('BRK.B', '1d'))?.symbol).toBe('BRK-B');
  });

  it.each([
    ['1m', '1min'],
    ['5m', '5min'],
    ['15m', '15min'],
    ['30m', '30min'],
    ['1h', '60min'],
  ] as const)('maps intraday %s', (interval, minutes) => {
    const q = query('MSFT', interval, { end: NOW, limit: 10 });
    expect(paramsOf('MSFT', q)).toEqual({
      function: 'TIME_SERIES_INTRADAY',
      symbol: 'MSFT',
      interval: minutes,
      adjusted: 'true',
      outputsize: 'compact',
    });
  });

  it('labels adjusted intraday bars', () => {
    const q = query('MSFT', '5m', { end: NOW });
    expect(seriesRequest(mapped('MSFT'), q, ZONE, NOW)?.adjustment).toBe(
      'split+dividend',
    );
  });

  it('asks for raw intraday bars', () => {
    const q = query('MSFT', '5m', { end: NOW, adjusted: false });
    const request = seriesRequest(mapped('MSFT'), q, ZONE, NOW);
    expect(request?.params.adjusted).toBe('false');
    expect(request?.adjustment).toBe('raw');
  });

  it('names the month of older intraday ranges', () => {
    const q = query('MSFT', '1m', {
      start: Date.parse('2023-06-05T13:30:00Z'),
      end: Date.parse('2023-06-09T20:00:00Z'),
    });
    const params = paramsOf('MSFT', q);
    expect(params?.month).toBe('2023-06');
    expect(params?.outputsize).toBe('full');
  });

  it('omits the month across months', () => {
    const q = query('MSFT', '1m', {
      start: Date.parse('2023-05-30T13:30:00Z'),
      end: Date.parse('2023-06-09T20:00:00Z'),
    });
    expect(paramsOf('MSFT', q)?.month).toBeUndefined();
  });
});

describe('seriesRequest for pairs', () => {
  it('asks for daily forex bars', () => {
    expect(paramsOf('EUR-USD', query('EUR-USD', '1d'))).toEqual({
      function: 'FX_DAILY',
      from_symbol: 'EUR',
      to_symbol: 'USD',
      outputsize: 'compact',
    });
  });

  it('asks for monthly forex bars', () => {
    expect(paramsOf('EUR-USD', query('EUR-USD', '1mo'))?.function).toBe(
      'FX_MONTHLY',
    );
  });

  it('asks for intraday forex bars', () => {
    const q = query('EUR-USD', '15m', { end: NOW });
    expect(paramsOf('EUR-USD', q)).toEqual({
      function: 'FX_INTRADAY',
      from_symbol: 'EUR',
      to_symbol: 'USD',
      interval: '15min',
      outputsize: 'compact',
    });
  });

  it('asks for weekly crypto bars', () => {
    const request = seriesRequest(
      mapped('BTC-EUR'),
      query('BTC-EUR', '1wk'),
      ZONE,
      NOW,
    );
    expect(request?.params).toEqual({
      function: 'DIGITAL_CURRENCY_WEEKLY',
      symbol: 'BTC',
      market: 'EUR',
    });
    expect(request?.market).toBe('EUR');
  });

  it('has no intraday crypto series', () => {
    const q = query('BTC-USD', '1h', { end: NOW });
    expect(seriesRequest(mapped('BTC-USD'), q, ZONE, NOW)).toBeNull();
  });
});

describe('weekdaysBetween', () => {
  it('counts one weekday', () => {
    expect(weekdaysBetween(day('2024-03-13'), day('2024-03-13'))).toBe(1);
  });

  it('skips the weekend', () => {
    expect(weekdaysBetween(day('2024-03-08'), day('2024-03-11'))).toBe(2);
  });

  it('counts whole weeks', () => {
    expect(weekdaysBetween(day('2024-03-04'), day('2024-03-31'))).toBe(20);
  });

  it('counts before 1970', () => {
    expect(weekdaysBetween(day('1969-12-26'), day('1969-12-29'))).toBe(2);
  });

  it('returns zero for reversed bounds', () => {
    expect(weekdaysBetween(day('2024-03-13'), day('2024-03-12'))).toBe(0);
  });
});
