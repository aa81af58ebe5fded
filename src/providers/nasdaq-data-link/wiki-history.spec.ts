import { describe, expect, it } from 'vitest';
import { UsEquityCalendar } from '../../market/exchange-calendar.js';
import type { Interval } from '../../market/interval.js';
import { parseSymbol } from '../../market/symbol.js';
import type { HistoryQuery } from '../market-data-source.js';
import { buildHistory, type HistoryInput } from './wiki-history.js';
import type { WikiRow } from './wiki-rows.js';
import { WIKI_COVERAGE, dailyWindow } from './wiki-window.js';

const NOW = Date.parse('2024-05-01T15:00:00Z');
const day = (date: string) => Date.parse(`${date}T00:00:00Z`);

function wikiRow(
  date: string,
  close: number,
  extra: Partial<WikiRow> = {},
): WikiRow {
  return {
    ticker: 'AAPL',
    date,
    prices: { open: close, high: close + 1, low: close - 1, close, volume: 10 },
    dividend: null,
    split: null,
    ...extra,
  };
}

function query(
  interval: Interval,
  start: string | null,
  end: string,
  overrides: Partial<HistoryQuery> = {},
): HistoryQuery {
  return {
    instrument: parseSymbol('AAPL'),
    interval,
    start: start === null ? null : day(start),
    end: day(end),
    limit: 1000,
    adjusted: true,
    ...overrides,
  };
}

function build(
  rows: WikiRow[],
  historyQuery: HistoryQuery,
  extra: Partial<HistoryInput> = {},
) {
  const window = dailyWindow(historyQuery);
  if (!window) throw new Error('query lies after the table');

  return buildHistory({
    rows,
    undated: 0,
    query: historyQuery,
    window,
    tickers: ['AAPL'],
    calendar: new UsEquityCalendar(),
    now: NOW,
    ...extra,
  });
}

const november = query('1d', '2017-11-20', '2017-11-30');

describe('buildHistory daily bars', () => {
  it('sorts rows by date', () => {
    const { result } = build(
      [
        wikiRow('2017-11-28', 3),
        wikiRow('2017-11-24', 1),
        wikiRow('2017-11-27', 2),
      ],
      november,
    );
    expect(result.bars.map((bar) => bar.date)).toEqual([
      '2017-11-24',
      '2017-11-27',
      '2017-11-28',
    ]);
  });

  it('dates bars at midnight UTC', () => {
    const { result } = build([wikiRow('2017-11-24', 1)], november);
    expect(result.bars[0]).toEqual({
      time: day('2017-11-24'),
      date: '2017-11-24',
      open: 1,
      high: 2,
      low: 0,
      close: 1,
      volume: 10,
      complete: true,
    });
  });

  it('labels adjusted bars', () => {
    const { result } = build([wikiRow('2017-11-24', 1)], november);
    expect(result.adjustment).toBe('split+dividend');
  });

  it('labels raw bars', () => {
    const { result } = build(
      [wikiRow('2017-11-24', 1)],
      query('1d', '2017-11-20', '2017-11-30', { adjusted: false }),
    );
    expect(result.adjustment).toBe('raw');
  });

  it('states the table coverage', () => {
    const { result } = build([wikiRow('2017-11-24', 1)], november);
    expect(result.coverage).toEqual(WIKI_COVERAGE);
    expect(result.timeZone).toBe('America/New_York');
  });

  it('drops rows outside the window', () => {
    const { result, dropped } = build(
      [
        wikiRow('2017-11-17', 1),
        wikiRow('2017-11-24', 2),
        wikiRow('2017-12-01', 3),
      ],
      november,
    );
    expect(result.bars.map((bar) => bar.date)).toEqual(['2017-11-24']);
    expect(dropped.outside).toBe(2);
  });

  it('keeps one row per date', () => {
    const { result, dropped } = build(
      [wikiRow('2017-11-24', 1), wikiRow('2017-11-24', 2)],
      november,
    );
    expect(result.bars).toHaveLength(1);
    expect(dropped.duplicate).toBe(1);
  });

  it('prefers the first ticker spelling', () => {
    const { result } = build(
      [
        wikiRow('2017-11-24', 2, { ticker: 'BRK-B' }),
        wikiRow('2017-11-24', 1, { ticker: 'BRK_B' }),
      ],
      november,
      { tickers: ['BRK_B', 'BRK-B'] },
    );
    expect(result.bars.map((bar) => bar.close)).toEqual([1]);
  });

  it('drops rows of other tickers', () => {
    const { result, dropped } = build(
      [wikiRow('2017-11-24', 1, { ticker: 'MSFT' })],
      november,
    );
    expect(result.bars).toEqual([]);
    expect(dropped.foreign).toBe(1);
  });

  it('counts rows without prices', () => {
    const { result, dropped, rowsInWindow } = build(
      [wikiRow('2017-11-24', 1, { prices: null })],
      november,
      { undated: 2 },
    );
    expect(result.bars).toEqual([]);
    expect(dropped.invalid).toBe(3);
    expect(rowsInWindow).toBe(1);
  });

  it('keeps the latest bars without start', () => {
    const { result } = build(
      [
        wikiRow('2018-03-23', 1),
        wikiRow('2018-03-26', 2),
        wikiRow('2018-03-27', 3),
      ],
      query('1d', null, '2024-01-05', { limit: 2 }),
    );
    expect(result.bars.map((bar) => bar.date)).toEqual([
      '2018-03-26',
      '2018-03-27',
    ]);
  });

  it('keeps the first bars with start', () => {
    const { result } = build(
      [
        wikiRow('2017-11-24', 1),
        wikiRow('2017-11-27', 2),
        wikiRow('2017-11-28', 3),
      ],
      query('1d', '2017-11-20', '2017-11-30', { limit: 2 }),
    );
    expect(result.bars.map((bar) => bar.date)).toEqual([
      '2017-11-24',
      '2017-11-27',
    ]);
  });
});

describe('buildHistory events', () => {
  it('reports dividends and splits', () => {
    const { result } = build(
      [
        wikiRow('2017-11-24', 1, { dividend: 0.63 }),
        wikiRow('2017-11-27', 1, { split: 7 }),
      ],
      november,
    );
    expect(result.events).toEqual([
      { date: '2017-11-24', type: 'dividend', amount: 0.63 },
      { date: '2017-11-27', type: 'split', ratio: 7 },
    ]);
  });

  it('keeps events of rows without prices', () => {
    const { result } = build(
      [wikiRow('2017-11-24', 1, { prices: null, dividend: 0.63 })],
      november,
    );
    expect(result.events).toEqual([
      { date: '2017-11-24', type: 'dividend', amount: 0.63 },
    ]);
  });

  it('reports nothing on plain days', () => {
    const { result } = build([wikiRow('2017-11-24', 1)], november);
    expect(result.events).toEqual([]);
  });
});

describe('buildHistory weeks and months', () => {
  const lastWeeks = [
    wikiRow('2018-03-19', 1),
    wikiRow('2018-03-23', 2),
    wikiRow('2018-03-26', 3),
    wikiRow('2018-03-27', 4),
  ];

  it('dates weeks by Monday', () => {
    const { result } = build(
      lastWeeks,
      query('1wk', '2018-03-19', '2018-03-26'),
    );
    expect(result.bars.map((bar) => bar.date)).toEqual([
      '2018-03-19',
      '2018-03-26',
    ]);
  });

  it('merges the days of a week', () => {
    const { result } = build(
      lastWeeks,
      query('1wk', '2018-03-19', '2018-03-26'),
    );
    expect(result.bars[0]).toMatchObject({ open: 1, close: 2, volume: 20 });
  });

  it('marks the last week incomplete', () => {
    const { result } = build(
      lastWeeks,
      query('1wk', '2018-03-19', '2018-03-26'),
    );
    expect(result.bars.map((bar) => bar.complete)).toEqual([true, false]);
  });

  it('dates months by their first', () => {
    const { result } = build(
      [
        wikiRow('2017-10-31', 1),
        wikiRow('2017-11-01', 2),
        wikiRow('2017-11-30', 3),
      ],
      query('1mo', '2017-10-01', '2017-11-01'),
    );
    expect(result.bars.map((bar) => bar.date)).toEqual([
      '2017-10-01',
      '2017-11-01',
    ]);
    expect(result.bars.map((bar) => bar.complete)).toEqual([true, true]);
  });
});
