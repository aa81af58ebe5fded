import { describe, expect, it, vi } from 'vitest';
import { DataNotAvailableError } from '../../common/api.errors.js';
import { UsEquityCalendar } from '../../market/exchange-calendar.js';
import type { Interval } from '../../market/interval.js';
import { parseSymbol } from '../../market/symbol.js';
import type { HistoryQuery } from '../market-data-source.js';
import { ReplayCatalog } from './replay-catalog.js';
import { readReplayFile } from './replay-file.js';
import { buildQuote } from './replay-quote.js';
import { readHistory } from './replay-history.js';
import { mergeSeries } from './series-merge.js';

const calendar = new UsEquityCalendar();

function catalogOf(...files: Array<[string, string]>): ReplayCatalog {
  const parts = files.flatMap(
    ([name, text]) => readReplayFile(name, text).series,
  );

  return new ReplayCatalog(mergeSeries(parts).series);
}

const AAPL = [
  'Date,Open,High,Low,Close,Adj Close,Volume,Dividends,Stock Splits',
  '2014-06-05,646.2,649.37,642.61,647.35,92.48,75951400,0,0',
  '2014-06-06,649.9,651.26,644.47,645.57,92.22,87484600,0,0',
  '2014-06-09,92.7,93.88,91.75,93.7,93.7,75415000,0,7',
  '2014-06-10,94.73,95.05,93.57,94.25,94.25,62777000,0,0',
].join('\n');
const AAPL_UNADJUSTED = [
  'day,open,high,low,close,volume',
  '2014-06-11,94.13,94.76,93.47,93.86,45681000',
  '2014-06-12,94.04,94.12,91.9,92.29,54749000',
].join('\n');
const EA = [
  'Datetime,Open,High,Low,Close,Volume',
  '2026-06-01 15:45:00-04:00,201,202,200,201.5,1000',
  '2026-06-02 04:00:00-04:00,150,150,150,150,0',
  '2026-06-02 09:30:00-04:00,202,203,201,202.5,500',
  '2026-06-02 09:45:00-04:00,202.5,204,202,203,400',
  '2026-06-02 16:00:00-04:00,250,250,250,250,0',
].join('\n');

const catalog = catalogOf(
  ['AAPL.a.csv', AAPL],
  ['AAPL.b.csv', AAPL_UNADJUSTED],
  ['EA.csv', EA],
);

function query(
  symbol: string,
  interval: Interval,
  range: Partial<HistoryQuery> = {},
): HistoryQuery {
  return {
    instrument: parseSymbol(symbol),
    interval,
    start: null,
    end: Date.parse('2030-01-01'),
    limit: 1000,
    adjusted: false,
    ...range,
  };
}

function history(
  symbol: string,
  interval: Interval,
  range: Partial<HistoryQuery> = {},
) {
  return readHistory(
    catalog.require(symbol),
    query(symbol, interval, range),
    calendar,
  );
}

describe('readHistory', () => {
  it('serves stored bars as written', () => {
    const { bars } = history('AAPL', '1d');
    expect(bars).toHaveLength(6);
    expect(bars[1]).toEqual({
      time: Date.parse('2014-06-06'),
      date: '2014-06-06',
      open: 649.9,
      high: 651.26,
      low: 644.47,
      close: 645.57,
      adjClose: 92.22,
      volume: 87484600,
      complete: true,
    });
  });

  it('keeps the range inclusive', () => {
    const { bars } = history('AAPL', '1d', {
      start: Date.parse('2014-06-06'),
      end: Date.parse('2014-06-09'),
    });
    expect(bars.map((bar) => bar.date)).toEqual(['2014-06-06', '2014-06-09']);
  });

  it('reports raw bars as raw', () => {
    expect(history('AAPL', '1d').adjustment).toBe('raw');
  });

  it('adjusts by the adjusted close', () => {
    const { bars, adjustment } = history('AAPL', '1d', {
      end: Date.parse('2014-06-10'),
      adjusted: true,
    });
    expect(adjustment).toBe('split+dividend');
    expect(bars[0]?.close).toBe(92.48);
    expect(bars[0]?.open).toBeCloseTo(646.2 * (92.48 / 647.35), 10);
  });

  it('splits a mixed range', () => {
    const { bars, adjustment } = history('AAPL', '1d', { adjusted: true });
    expect(adjustment).toBe('split');
    expect(bars[1]?.close).toBeCloseTo(645.57 / 7, 10);
    expect(bars[1]?.volume).toBe(87484600 * 7);
    expect(bars[1]?.adjClose).toBe(92.22);
    expect(bars[2]?.close).toBe(93.7);
  });

  it('keeps rows without adjusted close', () => {
    const { bars } = history('AAPL', '1d', { adjusted: true });
    expect(bars[5]?.close).toBe(92.29);
  });

  it('returns events in range', () => {
    expect(history('AAPL', '1d').events).toEqual([
      { date: '2014-06-09', type: 'split', ratio: 7 },
    ]);
  });

  it('leaves out events outside range', () => {
    const { events } = history('AAPL', '1d', {
      end: Date.parse('2014-06-06'),
    });
    expect(events).toEqual([]);
  });

  it('merges days into weeks', () => {
    const { bars } = history('AAPL', '1wk');
    expect(bars.map((bar) => bar.date)).toEqual(['2014-06-02', '2014-06-09']);
    expect(bars[1]).toMatchObject({
      open: 92.7,
      high: 95.05,
      low: 91.75,
      close: 92.29,
      volume: 75415000 + 62777000 + 45681000 + 54749000,
      complete: false,
    });
  });

  it('builds days from the regular session', () => {
    const { bars } = history('EA', '1d');
    expect(bars[1]).toMatchObject({
      date: '2026-06-02',
      open: 202,
      high: 204,
      low: 201,
      close: 203,
      volume: 900,
    });
  });

  it('names the zone and coverage', () => {
    const result = history('EA', '1h');
    expect(result.timeZone).toBe('America/New_York');
    expect(result.coverage).toEqual({ from: '2026-06-01', to: '2026-06-02' });
  });

  it('ends asOf with the data', () => {
    expect(history('EA', '15m').asOf).toBe(Date.parse('2026-06-02T20:15:00Z'));
  });

  it('rejects a finer interval', () => {
    expect(() => history('AAPL', '1h')).toThrow(DataNotAvailableError);
  });

  it('explains what the files cover', () => {
    expect(() => history('AAPL', '5m')).toThrow(
      'The replay files hold AAPL as 1d from 2014-06-05 to 2014-06-12, which cannot be served as 5m bars.',
    );
  });

  it('rejects a range without bars', () => {
    expect(() =>
      history('AAPL', '1d', {
        start: Date.parse('2020-01-01'),
        end: Date.parse('2020-12-31'),
      }),
    ).toThrow('no 1d bars for AAPL between 2020-01-01 and 2020-12-31;');
  });

  it('names intraday bounds as instants', () => {
    expect(() =>
      history('EA', '15m', {
        start: Date.parse('2020-01-02T14:30:00Z'),
        end: Date.parse('2020-01-02T15:00:00Z'),
      }),
    ).toThrow('between 2020-01-02T14:30:00.000Z and 2020-01-02T15:00:00.000Z;');
  });

  it('shares daily bars with quotes', () => {
    const fresh = catalogOf(['EA.csv', EA]).require('EA');
    const counting = new UsEquityCalendar();
    readHistory(fresh, query('EA', '1d', { adjusted: true }), counting);
    const tradingDay = vi.spyOn(counting, 'tradingDay');
    buildQuote(fresh, counting);
    expect(tradingDay).not.toHaveBeenCalled();
  });

  it('serves copies of cached bars', () => {
    const first = history('AAPL', '1wk');
    if (first.bars[0]) first.bars[0].close = -1;
    expect(history('AAPL', '1wk').bars[0]?.close).toBe(645.57);
  });
});
