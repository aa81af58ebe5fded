import { DateTime } from 'luxon';
import { describe, expect, it, vi } from 'vitest';
import { UsEquityCalendar } from '../../market/exchange-calendar.js';
import { ReplayCatalog } from './replay-catalog.js';
import { readReplayFile } from './replay-file.js';
import { buildQuote } from './replay-quote.js';
import { mergeSeries } from './series-merge.js';

const calendar = new UsEquityCalendar();

function quoteOf(name: string, text: string) {
  const catalog = new ReplayCatalog(
    mergeSeries(readReplayFile(name, text).series).series,
  );
  const [symbol] = catalog.symbols();

  return buildQuote(catalog.require(symbol ?? ''), calendar);
}

const AAPL = [
  'day,open,high,low,close,volume',
  '2014-08-28,101.589996,102.779999,101.559998,102.25,68460000',
  '2014-08-29,102.860001,102.900002,102.199997,102.5,44595000',
].join('\n');
const EA = [
  'Datetime,Open,High,Low,Close,Volume',
  '2026-06-01 15:30:00-04:00,200.5,201,200,201,800',
  '2026-06-01 15:45:00-04:00,201,202,200,201.5,1000',
  '2026-06-01 16:15:00-04:00,201.5,201.5,201.5,201.7,10',
  '2026-06-02 04:00:00-04:00,150,150,150,150,0',
  '2026-06-02 09:30:00-04:00,202,203,201,202.5,500',
  '2026-06-02 09:45:00-04:00,202.5,204,202,203,400',
].join('\n');
const SHIN_ETSU = [
  'Date,Open,High,Low,Close,Adj Close,Volume,Dividends,Stock Splits',
  '2023-04-14 00:00:00+09:00,4126,4130,4055,4129,4129,7459400,0,0',
  '2023-04-13 00:00:00+09:00,4064,4099,4026,4081,4081,5160200,0,0',
].join('\n');

/** Writes the `i`th 1-minute row after `start`. */
function minuteRow(start: string, i: number): string {
  const time = new Date(Date.parse(start) + i * 60_000).toISOString();

  return `${time},100,101,99,100,10`;
}

/**
 * Writes one regular session of 1-minute EA bars on 2026-06-01 and the
 * pre-market of 2026-06-02 (04:00 to 09:29 New York).
 */
function minuteFile(): string {
  const regular = Array.from({ length: 390 }, (_, i) =>
    minuteRow('2026-06-01T13:30:00Z', i),
  );
  const early = Array.from({ length: 330 }, (_, i) =>
    minuteRow('2026-06-02T08:00:00Z', i),
  );

  return ['Datetime,Open,High,Low,Close,Volume', ...regular, ...early].join(
    '\n',
  );
}

function catalogOf(name: string, text: string) {
  const catalog = new ReplayCatalog(
    mergeSeries(readReplayFile(name, text).series).series,
  );

  return catalog.require(catalog.symbols()[0] ?? '');
}

describe('buildQuote', () => {
  const daily = quoteOf('AAPL.csv', AAPL);

  it('prices at the last close', () => {
    expect(daily.price).toBe(102.5);
  });

  it('compares with the previous close', () => {
    expect(daily.previousClose).toBe(102.25);
    expect(daily.change).toBe(0.25);
    expect(daily.changePercent).toBe(0.2445);
  });

  it('takes the day from the last bar', () => {
    expect(daily).toMatchObject({
      open: 102.860001,
      high: 102.900002,
      low: 102.199997,
      volume: 44595000,
    });
  });

  it('stamps a US day at the close', () => {
    expect(daily.asOf).toBe(Date.parse('2014-08-29T20:00:00Z'));
  });

  it('fills the fixed fields', () => {
    expect(daily).toMatchObject({
      symbol: 'AAPL',
      assetClass: 'equity',
      currency: 'USD',
      exchange: null,
      bid: null,
      ask: null,
      session: 'closed',
      source: 'replay',
      stale: false,
      delayed: 0,
    });
  });

  const intraday = quoteOf('EA.csv', EA);

  it('prices intraday at the last close', () => {
    expect(intraday.price).toBe(203);
  });

  it('compares with the previous regular close', () => {
    expect(intraday.previousClose).toBe(201.5);
  });

  it('merges the regular session of the day', () => {
    expect(intraday).toMatchObject({
      open: 202,
      high: 204,
      low: 201,
      volume: 900,
    });
  });

  it('stamps intraday at the bar end', () => {
    expect(intraday.asOf).toBe(Date.parse('2026-06-02T14:00:00Z'));
  });

  const preMarket = catalogOf('EA.1m.csv', minuteFile());

  it('merges a pre-market day', () => {
    const quote = buildQuote(preMarket, calendar);
    expect(quote).toMatchObject({
      open: 100,
      high: 101,
      low: 99,
      volume: 330 * 10,
      previousClose: 100,
    });
  });

  it('dates a pre-market day once', () => {
    buildQuote(preMarket, calendar);
    const fromMillis = vi.spyOn(DateTime, 'fromMillis');
    buildQuote(preMarket, calendar);
    expect(fromMillis.mock.calls.length).toBeLessThan(10);
    fromMillis.mockRestore();
  });

  const tokyo = quoteOf('4063-T.csv', SHIN_ETSU);

  it('quotes Tokyo in yen', () => {
    expect(tokyo.currency).toBe('JPY');
  });

  it('stamps other days at local midnight', () => {
    expect(tokyo.asOf).toBe(Date.parse('2023-04-14T15:00:00Z'));
  });

  it('stamps a month-end bar at month end', () => {
    const monthly = quoteOf(
      'BTCUSD.csv',
      [
        ',Open,High,Low,Close,Volume',
        '2024-11-30,69109.0,99121.0,67459.0,97482.0,42421.51031367',
        '2024-12-31,96515.0,108364.0,92092.0,93381.0,25342.80228337',
      ].join('\n'),
    );
    expect(monthly.asOf).toBe(Date.parse('2025-01-01T00:00:00Z'));
  });

  it('leaves change empty without history', () => {
    const single = quoteOf(
      'ADABTC.csv',
      [
        '1637971200000,0.00002853,0.00002854,0.00002851,0.00002854,36304.2',
        '1637971260000,0.00002854,0.00002860,0.00002854,0.00002859,89196.6',
      ].join('\n'),
    );
    expect(single.previousClose).toBeNull();
    expect(single.change).toBeNull();
    expect(single.changePercent).toBeNull();
  });
});
