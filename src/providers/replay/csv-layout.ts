import { parseNumber } from './csv-number.js';

export type Delimiter = ',' | ';' | '\t';

/** Column indices of one file's fields. Optional fields may be absent. */
export interface ColumnLayout {
  /** False for headerless exchange klines, whose first line is data. */
  header: boolean;
  time: number;
  /** A separate time-of-day column, joined to a date-only `time` column. */
  timeOfDay?: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume?: number;
  adjOpen?: number;
  adjHigh?: number;
  adjLow?: number;
  adjClose?: number;
  adjVolume?: number;
  dividend?: number;
  split?: number;
  symbol?: number;
  /** Symbol written before field names, as in `AAPL.Open`. */
  columnPrefix?: string;
}

type Field = Exclude<keyof ColumnLayout, 'header' | 'columnPrefix'>;

/**
 * Header names of the time column, best first: a full timestamp beats a
 * date. Names are compared lower case with everything but letters and
 * digits removed, so `Adj Close`, `adj_close` and `Adj. Close` all read as
 * `adjclose`.
 */
const TIME_NAMES = ['datetime', 'timestamp', 'opentime', 'date', 'day'];

const FIELD_NAMES: ReadonlyArray<[Field, readonly string[]]> = [
  ['timeOfDay', ['time']],
  ['open', ['open']],
  ['high', ['high']],
  ['low', ['low']],
  ['close', ['close', 'closelast', 'last']],
  ['volume', ['volume', 'vol']],
  ['adjOpen', ['adjopen']],
  ['adjHigh', ['adjhigh']],
  ['adjLow', ['adjlow']],
  ['adjClose', ['adjclose', 'adjusted', 'adjustedclose']],
  ['adjVolume', ['adjvolume']],
  ['dividend', ['dividends', 'dividend', 'exdividend', 'dividendamount']],
  ['split', ['stocksplits', 'split', 'splitratio', 'splitcoefficient']],
  ['symbol', ['symbol', 'ticker', 'stock']],
];

/** Klines columns: open time, open, high, low, close, volume, then extras. */
const KLINES_LAYOUT: ColumnLayout = {
  header: false,
  time: 0,
  open: 1,
  high: 2,
  low: 3,
  close: 4,
  volume: 5,
};
const KLINES_MIN_COLUMNS = 6;

/**
 * Picks the field delimiter from the first line: the most frequent of
 * comma, semicolon and tab outside quotes, with comma on a tie.
 */
export function detectDelimiter(firstLine: string): Delimiter {
  const unquoted = firstLine.replace(/"[^"]*"/g, '');
  const count = (delimiter: string) => unquoted.split(delimiter).length - 1;
  const commas = count(',');
  const semicolons = count(';');
  const tabs = count('\t');
  if (semicolons > commas && semicolons >= tabs) return ';';
  if (tabs > commas && tabs > semicolons) return '\t';

  return ',';
}

/**
 * Maps the first record to column indices. A first record made only of
 * numbers is headerless klines data. Returns an error message naming the
 * missing fields, and `line` as the header's line, when the header lacks a
 * time, open, high, low or close. The message never quotes the header.
 */
export function detectLayout(
  firstRecord: readonly string[],
  line = 1,
): ColumnLayout | string {
  const numeric = firstRecord.every(
    (cell) => typeof parseNumber(cell) === 'number',
  );
  if (numeric && firstRecord.length >= KLINES_MIN_COLUMNS) return KLINES_LAYOUT;

  const found = new Map<Field, number>();
  let columnPrefix: string | undefined;
  firstRecord.forEach((cell, index) => {
    const named = fieldOf(cell);
    if (!named || found.has(named.field)) return;
    found.set(named.field, index);
    columnPrefix ??= named.prefix;
  });
  const time = timeColumn(firstRecord, found.get('timeOfDay'));
  if (time !== undefined && time === found.get('timeOfDay')) {
    found.delete('timeOfDay');
  }

  return buildLayout(found, time, columnPrefix, line);
}

function buildLayout(
  found: ReadonlyMap<Field, number>,
  time: number | undefined,
  columnPrefix: string | undefined,
  line: number,
): ColumnLayout | string {
  const open = found.get('open');
  const high = found.get('high');
  const low = found.get('low');
  const close = found.get('close');
  if (
    time === undefined ||
    open === undefined ||
    high === undefined ||
    low === undefined ||
    close === undefined
  ) {
    const missing = Object.entries({ time, open, high, low, close })
      .filter(([, index]) => index === undefined)
      .map(([name]) => name);

    return `header on line ${line} has no ${missing.join(', ')} column`;
  }

  return {
    header: true,
    time,
    timeOfDay: found.get('timeOfDay'),
    open,
    high,
    low,
    close,
    volume: found.get('volume'),
    adjOpen: found.get('adjOpen'),
    adjHigh: found.get('adjHigh'),
    adjLow: found.get('adjLow'),
    adjClose: found.get('adjClose'),
    adjVolume: found.get('adjVolume'),
    dividend: found.get('dividend'),
    split: found.get('split'),
    symbol: found.get('symbol'),
    columnPrefix,
  };
}

/**
 * Returns the best-ranked date or timestamp column, else a column named
 * `time`. An unnamed first column is a pandas index when another column
 * contains the time, and the time otherwise.
 */
function timeColumn(
  firstRecord: readonly string[],
  timeOfDay: number | undefined,
): number | undefined {
  let best: number | undefined;
  let bestRank = TIME_NAMES.length;
  firstRecord.forEach((cell, index) => {
    const rank = TIME_NAMES.indexOf(normalize(cell));
    if (rank >= 0 && rank < bestRank) {
      best = index;
      bestRank = rank;
    }
  });
  if (best !== undefined) return best;
  if (timeOfDay !== undefined) return timeOfDay;

  return firstRecord[0]?.trim() === '' ? 0 : undefined;
}

interface NamedField {
  field: Field;
  prefix?: string;
}

/** Reads a header cell, first as a whole, then after a `SYMBOL.` prefix. */
function fieldOf(cell: string): NamedField | null {
  const whole = lookup(cell);
  if (whole) return { field: whole };

  for (let dot = cell.indexOf('.'); dot > 0; dot = cell.indexOf('.', dot + 1)) {
    const field = lookup(cell.slice(dot + 1));
    if (field) return { field, prefix: cell.slice(0, dot).trim() };
  }

  return null;
}

function lookup(name: string): Field | null {
  const key = normalize(name);
  for (const [field, names] of FIELD_NAMES) {
    if (names.includes(key)) return field;
  }

  return null;
}

function normalize(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}
