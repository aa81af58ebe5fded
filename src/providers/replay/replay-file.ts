import { parse } from 'csv-parse/sync';
import { InvalidParameterError } from '../../common/api.errors.js';
import type { CorporateAction } from '../../market/bar.js';
import { timeZoneOf } from '../../market/exchange-zones.js';
import type { Interval } from '../../market/interval.js';
import { parseSymbol, type Instrument } from '../../market/symbol.js';
import {
  detectDelimiter,
  detectLayout,
  type ColumnLayout,
} from './csv-layout.js';
import { hasDecimalComma } from './csv-number.js';
import { parseRow, type ParsedRow } from './csv-rows.js';
import type { StoredBar } from './replay-series.js';
import { buildSeries } from './series-building.js';

/** One symbol's bars as read from one file. */
export interface FileSeries {
  file: string;
  instrument: Instrument;
  interval: Interval;
  bars: StoredBar[];
  events: CorporateAction[];
}

export interface FileReadResult {
  file: string;
  series: FileSeries[];
  /** Data records in the file, readable or not. */
  rows: number;
  skippedRows: number;
  /** Reasons for dropping all rows of a symbol, one message per symbol. */
  problems: string[];
}

/** Thrown when no series at all can be read from a file. */
export class ReplayFileError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = 'ReplayFileError';
  }
}

/** Cells scanned for a decimal comma in semicolon-separated files. */
const DECIMAL_SCAN_ROWS = 50;

/**
 * Reads one CSV or text file of OHLCV rows. The symbol comes from a symbol
 * column when the file has one, else from the file name up to its first
 * dot (`BRK-A.csv` is BRK.A), else from a column prefix such as `AAPL.Open`.
 * Rows that cannot be read are counted and skipped. A symbol whose interval
 * cannot be inferred is reported in `problems`. Throws ReplayFileError when
 * the file has no usable header or no symbol.
 */
export function readReplayFile(file: string, text: string): FileReadResult {
  const body = text.replace(/^\uFEFF/, '');
  const firstLine = body.split(/\r?\n/, 1)[0] ?? '';
  const delimiter = detectDelimiter(firstLine);
  let malformed = 0;
  const records = parse(body, {
    delimiter,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    trim: true,
    on_skip: () => {
      malformed += 1;
      return undefined;
    },
  });
  const first = records[0];
  if (!first) throw new ReplayFileError(file, 'the file has no rows');

  const layout = detectLayout(first);
  if (typeof layout === 'string') throw new ReplayFileError(file, layout);
  const data = layout.header ? records.slice(1) : records;
  const result: FileReadResult = {
    file,
    series: [],
    rows: data.length + malformed,
    skippedRows: malformed,
    problems: [],
  };
  const decimalComma =
    delimiter === ';' &&
    usesDecimalComma(data.slice(0, DECIMAL_SCAN_ROWS), layout);

  for (const [symbolText, group] of groupBySymbol(data, layout)) {
    const instrument = resolveSymbol(file, symbolText, layout);
    if (typeof instrument === 'string') {
      if (layout.symbol === undefined)
        throw new ReplayFileError(file, instrument);
      result.problems.push(instrument);
      result.skippedRows += group.length;
      continue;
    }
    readGroup(result, instrument, group, { layout, decimalComma });
  }

  return result;
}

function readGroup(
  result: FileReadResult,
  instrument: Instrument,
  group: readonly string[][],
  options: { layout: ColumnLayout; decimalComma: boolean },
): void {
  const zone = timeZoneOf(instrument);
  const rows: ParsedRow[] = [];
  for (const record of group) {
    const row = parseRow(record, { ...options, zone });
    if (row) rows.push(row);
  }
  result.skippedRows += group.length - rows.length;

  const built = buildSeries(rows);
  if (typeof built === 'string') {
    result.problems.push(`${instrument.symbol}: ${built}`);
    result.skippedRows += rows.length;
    return;
  }
  result.skippedRows += built.duplicates;
  result.series.push({
    file: result.file,
    instrument,
    interval: built.interval,
    bars: built.bars,
    events: built.events,
  });
}

function usesDecimalComma(
  records: readonly string[][],
  layout: ColumnLayout,
): boolean {
  const priceColumns = [layout.open, layout.high, layout.low, layout.close];

  return records.some((record) =>
    priceColumns.some((index) => hasDecimalComma(record[index] ?? '')),
  );
}

/** Groups records by the symbol column, in order of first appearance. */
function groupBySymbol(
  records: readonly string[][],
  layout: ColumnLayout,
): Map<string | null, string[][]> {
  const groups = new Map<string | null, string[][]>();
  for (const record of records) {
    const key =
      layout.symbol === undefined ? null : (record[layout.symbol] ?? '').trim();
    const group = groups.get(key);
    if (group) group.push(record);
    else groups.set(key, [record]);
  }

  return groups;
}

/** Returns the instrument, or a message saying why no symbol could be read. */
function resolveSymbol(
  file: string,
  symbolText: string | null,
  layout: ColumnLayout,
): Instrument | string {
  if (symbolText !== null) {
    return trySymbol(symbolText) ?? `symbol "${symbolText}" is not valid`;
  }
  const dot = file.indexOf('.');
  const fromName = dot < 0 ? file : file.slice(0, dot);
  const prefix = layout.columnPrefix;

  return (
    trySymbol(fromName) ??
    (prefix === undefined ? null : trySymbol(prefix)) ??
    `no symbol column, and neither the file name "${fromName}" nor a column prefix is a valid symbol`
  );
}

function trySymbol(text: string): Instrument | null {
  try {
    return parseSymbol(text, { parameter: 'file symbol' });
  } catch (error) {
    if (error instanceof InvalidParameterError) return null;
    throw error;
  }
}
