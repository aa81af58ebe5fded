import { describe, expect, it } from 'vitest';
import type { Interval } from '../../market/interval.js';
import { parseSymbol } from '../../market/symbol.js';
import type { HistoryQuery } from '../market-data-source.js';
import { WIKI_COVERAGE, dailyWindow } from './wiki-window.js';

const day = (date: string) => Date.parse(`${date}T00:00:00Z`);

function query(
  interval: Interval,
  start: string | null,
  end: string,
  limit = 100,
): HistoryQuery {
  return {
    instrument: parseSymbol('AAPL'),
    interval,
    start: start === null ? null : day(start),
    end: day(end),
    limit,
    adjusted: true,
  };
}

describe('dailyWindow', () => {
  it('keeps a range inside the table', () => {
    expect(dailyWindow(query('1d', '2017-11-24', '2017-11-29'))).toEqual({
      gte: '2017-11-24',
      lte: '2017-11-29',
    });
  });

  it('cuts a range at the last date', () => {
    expect(dailyWindow(query('1d', '2018-03-01', '2024-01-05'))?.lte).toBe(
      WIKI_COVERAGE.to,
    );
  });

  it('keeps a range ending on the last date', () => {
    expect(dailyWindow(query('1d', '2018-03-27', '2018-03-27'))).toEqual({
      gte: '2018-03-27',
      lte: '2018-03-27',
    });
  });

  it('rejects a range after the last date', () => {
    expect(dailyWindow(query('1d', '2018-03-28', '2024-01-05'))).toBeNull();
  });

  it('extends a week to its Sunday', () => {
    expect(dailyWindow(query('1wk', '2017-11-20', '2017-11-27'))).toEqual({
      gte: '2017-11-20',
      lte: '2017-12-03',
    });
  });

  it('extends a month to its end', () => {
    expect(dailyWindow(query('1mo', '2017-10-01', '2017-11-01'))?.lte).toBe(
      '2017-11-30',
    );
  });

  it('looks back far enough without a start', () => {
    const window = dailyWindow(query('1d', null, '2017-12-29', 250));
    expect(window?.lte).toBe('2017-12-29');
    // 385 days back; the 250 trading days up to 2017-12-29 begin on 2017-01-03.
    expect(window?.gte).toBe('2016-12-09');
  });

  it('looks back from the last date', () => {
    const window = dailyWindow(query('1d', null, '2024-01-05', 10));
    expect(window?.lte).toBe(WIKI_COVERAGE.to);
    expect(window?.gte).toBe('2018-03-02');
  });

  it('stops looking back at the first date', () => {
    const window = dailyWindow(query('1mo', null, '2017-12-29', 50_001));
    expect(window?.gte).toBe(WIKI_COVERAGE.from);
  });

  it('never starts after its end', () => {
    const window = dailyWindow(query('1d', null, '1950-01-03', 10));
    expect(window).toEqual({ gte: '1950-01-03', lte: '1950-01-03' });
  });
});
