import { describe, expect, it } from 'vitest';
import type { DatatableCell, DatatablePage } from './data-link-schemas.js';
import { missingColumns, readPage, requestedColumns } from './wiki-rows.js';

const ALL_COLUMNS = [
  'ticker',
  'date',
  'open',
  'high',
  'low',
  'close',
  'volume',
  'ex-dividend',
  'split_ratio',
  'adj_open',
  'adj_high',
  'adj_low',
  'adj_close',
  'adj_volume',
];

function page(
  rows: DatatableCell[][],
  columns: string[] = ALL_COLUMNS,
): DatatablePage {
  return {
    datatable: {
      data: rows,
      columns: columns.map((name) => ({ name, type: 'double' })),
    },
    meta: { next_cursor_id: null },
  };
}

/** Builds a row in the order of ALL_COLUMNS, adjusted prices at half the raw ones. */
function row(date: string, overrides: Record<string, DatatableCell> = {}) {
  const values: Record<string, DatatableCell> = {
    ticker: 'AAPL',
    date,
    open: 10,
    high: 12,
    low: 9,
    close: 11,
    volume: 1000,
    'ex-dividend': 0,
    split_ratio: 1,
    adj_open: 5,
    adj_high: 6,
    adj_low: 4.5,
    adj_close: 5.5,
    adj_volume: 2000,
    ...overrides,
  };

  return ALL_COLUMNS.map((name) => values[name] ?? null);
}

describe('requestedColumns', () => {
  it('asks adjusted prices', () => {
    expect(requestedColumns(true)).toEqual([
      'ticker',
      'date',
      'adj_open',
      'adj_high',
      'adj_low',
      'adj_close',
      'adj_volume',
      'ex-dividend',
      'split_ratio',
    ]);
  });

  it('asks raw prices with adj_close', () => {
    expect(requestedColumns(false)).toEqual([
      'ticker',
      'date',
      'open',
      'high',
      'low',
      'close',
      'volume',
      'adj_close',
      'ex-dividend',
      'split_ratio',
    ]);
  });
});

describe('missingColumns', () => {
  it('finds none in the full layout', () => {
    expect(missingColumns(page([]), true)).toEqual([]);
  });

  it('names absent columns', () => {
    expect(missingColumns(page([], ['ticker', 'date', 'open']), false)).toEqual(
      [
        'high',
        'low',
        'close',
        'volume',
        'adj_close',
        'ex-dividend',
        'split_ratio',
      ],
    );
  });
});

describe('readPage', () => {
  it('reads adjusted prices', () => {
    const [read] = readPage(page([row('2017-11-24')]), true).rows;
    expect(read).toEqual({
      ticker: 'AAPL',
      date: '2017-11-24',
      prices: { open: 5, high: 6, low: 4.5, close: 5.5, volume: 2000 },
      dividend: null,
      split: null,
    });
  });

  it('reads raw prices with adjClose', () => {
    const [read] = readPage(page([row('2017-11-24')]), false).rows;
    expect(read?.prices).toEqual({
      open: 10,
      high: 12,
      low: 9,
      close: 11,
      volume: 1000,
      adjClose: 5.5,
    });
  });

  it('reads columns in any order', () => {
    const reversed = ALL_COLUMNS.toReversed();
    const cells = row('2017-11-24').toReversed();
    const [read] = readPage(page([cells], reversed), false).rows;
    expect(read?.prices?.close).toBe(11);
    expect(read?.date).toBe('2017-11-24');
  });

  it('reads a dividend', () => {
    const [read] = readPage(
      page([row('2017-05-11', { 'ex-dividend': 0.63 })]),
      true,
    ).rows;
    expect(read?.dividend).toBe(0.63);
  });

  it('reads a split', () => {
    const [read] = readPage(
      page([row('2014-06-09', { split_ratio: 7 })]),
      true,
    ).rows;
    expect(read?.split).toBe(7);
  });

  it.each([
    ['zero dividend', { 'ex-dividend': 0 }],
    ['null dividend', { 'ex-dividend': null }],
    ['text dividend', { 'ex-dividend': '0.5' }],
  ])('ignores a %s', (_name, overrides) => {
    const [read] = readPage(page([row('2017-05-11', overrides)]), true).rows;
    expect(read?.dividend).toBeNull();
  });

  it.each([
    ['ratio of 1', { split_ratio: 1 }],
    ['null ratio', { split_ratio: null }],
    ['zero ratio', { split_ratio: 0 }],
  ])('ignores a %s', (_name, overrides) => {
    const [read] = readPage(page([row('2017-05-11', overrides)]), true).rows;
    expect(read?.split).toBeNull();
  });

  it.each([
    ['null', { adj_open: null }],
    ['"null"', { adj_close: 'null' }],
    ['"NaN"', { adj_high: 'NaN' }],
    ['zero', { adj_low: 0 }],
    ['negative', { adj_close: -1 }],
  ])('leaves out a %s price', (_name, overrides) => {
    const [read] = readPage(page([row('2017-11-24', overrides)]), true).rows;
    expect(read?.prices).toBeNull();
  });

  it('keeps events of a bad row', () => {
    const cells = row('2017-05-11', { adj_open: null, 'ex-dividend': 0.63 });
    const [read] = readPage(page([cells]), true).rows;
    expect(read?.dividend).toBe(0.63);
  });

  it('keeps a bar without volume', () => {
    const [read] = readPage(
      page([row('2017-11-24', { adj_volume: null })]),
      true,
    ).rows;
    expect(read?.prices?.volume).toBeNull();
  });

  it.each([
    ['without ticker', { ticker: null }],
    ['with a bad date', { date: '2017-02-30' }],
    ['with a timestamp', { date: '2017-11-24T00:00:00Z' }],
  ])('counts a row %s', (_name, overrides) => {
    const read = readPage(page([row('2017-11-24', overrides)]), true);
    expect(read.rows).toEqual([]);
    expect(read.undated).toBe(1);
  });

  it('counts a short row', () => {
    const read = readPage(page([['AAPL']]), true);
    expect(read.undated).toBe(1);
  });
});
