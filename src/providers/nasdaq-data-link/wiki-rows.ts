import type { DatatableCell, DatatablePage } from './data-link-schemas.js';

type PriceField = 'open' | 'high' | 'low' | 'close' | 'volume';

/** Columns of WIKI/PRICES that hold raw and split- and dividend-adjusted prices. */
const PRICE_COLUMNS: Readonly<
  Record<'raw' | 'adjusted', Record<PriceField, string>>
> = {
  raw: {
    open: 'open',
    high: 'high',
    low: 'low',
    close: 'close',
    volume: 'volume',
  },
  adjusted: {
    open: 'adj_open',
    high: 'adj_high',
    low: 'adj_low',
    close: 'adj_close',
    volume: 'adj_volume',
  },
};
const DIVIDEND = 'ex-dividend';
const SPLIT = 'split_ratio';
const ADJ_CLOSE = 'adj_close';
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Prices of one row, all finite; open to close positive. */
export interface RowPrices {
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number | null;
  /** Split- and dividend-adjusted close, read beside raw prices. */
  adjClose?: number;
}

/** One dated row of the WIKI prices table. */
export interface WikiRow {
  ticker: string;
  date: string;
  /** Null when a price is missing, `"null"`, NaN or not positive. */
  prices: RowPrices | null;
  /** Cash dividend going ex on the date; null when there is none. */
  dividend: number | null;
  /** Split ratio taking effect on the date (7 for 7:1); null when there is none. */
  split: number | null;
}

/** Rows of one page, and how many had no ticker or date to place them by. */
export interface PageRows {
  rows: WikiRow[];
  undated: number;
}

/**
 * Returns the `qopts.columns` to request: the ticker and date, the prices
 * the query serves, and the event columns. Raw prices come with the
 * adjusted close, which bars carry beside them.
 */
export function requestedColumns(adjusted: boolean): string[] {
  const prices = Object.values(PRICE_COLUMNS[adjusted ? 'adjusted' : 'raw']);

  return [
    'ticker',
    'date',
    ...prices,
    ...(adjusted ? [] : [ADJ_CLOSE]),
    DIVIDEND,
    SPLIT,
  ];
}

/** Returns the requested columns a page lacks; empty when it has them all. */
export function missingColumns(
  page: DatatablePage,
  adjusted: boolean,
): string[] {
  const names = new Set(page.datatable.columns.map((column) => column.name));

  return requestedColumns(adjusted).filter((name) => !names.has(name));
}

/**
 * Reads the rows of a page by column name, since a page lists its columns
 * and rows follow that order. A row without a ticker or a valid date is
 * counted in `undated`; one with bad prices keeps its date and events.
 */
export function readPage(page: DatatablePage, adjusted: boolean): PageRows {
  const index = new Map(
    page.datatable.columns.map((column, position) => [column.name, position]),
  );
  const cell = (row: readonly DatatableCell[], name: string) => {
    const position = index.get(name);
    return position === undefined ? undefined : row[position];
  };
  const columns = PRICE_COLUMNS[adjusted ? 'adjusted' : 'raw'];
  const rows: WikiRow[] = [];
  let undated = 0;
  for (const row of page.datatable.data) {
    const ticker = cell(row, 'ticker');
    const date = cell(row, 'date');
    if (typeof ticker !== 'string' || !isIsoDate(date)) {
      undated += 1;
      continue;
    }
    const read = (name: string) => cell(row, name);
    rows.push({
      ticker,
      date,
      prices: readPrices(read, columns, adjusted),
      dividend: positive(read(DIVIDEND)),
      split: splitRatio(read(SPLIT)),
    });
  }

  return { rows, undated };
}

function readPrices(
  read: (name: string) => DatatableCell | undefined,
  columns: Record<PriceField, string>,
  adjusted: boolean,
): RowPrices | null {
  const open = positive(read(columns.open));
  const high = positive(read(columns.high));
  const low = positive(read(columns.low));
  const close = positive(read(columns.close));
  if (open === null || high === null || low === null || close === null) {
    return null;
  }
  const volume = read(columns.volume);
  const prices: RowPrices = {
    open,
    high,
    low,
    close,
    volume: isFiniteNumber(volume) && volume >= 0 ? volume : null,
  };
  const adjClose = adjusted ? null : positive(read(ADJ_CLOSE));
  if (adjClose !== null) prices.adjClose = adjClose;

  return prices;
}

/** Returns the split ratio, or null for 1, which WIKI writes on days without a split. */
function splitRatio(value: DatatableCell | undefined): number | null {
  const ratio = positive(value);

  return ratio === null || ratio === 1 ? null : ratio;
}

function positive(value: DatatableCell | undefined): number | null {
  return isFiniteNumber(value) && value > 0 ? value : null;
}

function isFiniteNumber(value: DatatableCell | undefined): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function isIsoDate(value: DatatableCell | undefined): value is string {
  if (typeof value !== 'string' || !ISO_DATE.test(value)) return false;
  const ms = Date.parse(`${value}T00:00:00Z`);

  // Date.parse rolls 2017-02-30 over to March; a real date reads back unchanged.
  return !Number.isNaN(ms) && new Date(ms).toISOString().startsWith(value);
}
