import { InvalidParameterError } from '../../common/api.errors.js';
import type { CorporateAction } from '../../market/bar.js';
import { timeZoneOf } from '../../market/exchange-zones.js';
import type { Interval } from '../../market/interval.js';
import { parseSymbol, type Instrument } from '../../market/symbol.js';
import { detectLayout, type ColumnLayout } from './csv-layout.js';
import { hasDecimalComma } from './csv-number.js';
import {
  parseRecords,
  type CsvRecords,
  type RejectedRow,
} from './csv-records.js';
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
  /** The first skipped rows in line order; `skippedRows` counts them all. */
  rejectedRows: RejectedRow[];
  /** Reasons for dropping all rows of a symbol, one message per symbol. */
  problems: string[];
}

export type { RejectedRow };

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
/** Rejected rows kept per file for the load log. */
const LISTED_REJECTIONS = 5;

/** State of one file while its groups are read. */
interface FileReading {
  result: FileReadResult;
  records: CsvRecords;
  rejections: RejectedRow[];
}

/**
 * Reads one CSV or text file of OHLCV rows. The symbol comes from a symbol
 * column when the file has one, else from the file name up to its first
 * dot (`BRK-A.csv` is BRK.A), else from a column prefix such as `AAPL.Open`.
 * Rows that cannot be read or hold impossible values are counted, and the
 * first few are listed by line. A symbol whose interval cannot be inferred
 * is reported in `problems`. Throws ReplayFileError when the file has no
 * usable header or no symbol. No message quotes the file's contents.
 */
export function readReplayFile(file: string, text: string): FileReadResult {
  const records = parseRecords(text);
  const first = records.rows[0];
  if (!first) throw new ReplayFileError(file, 'the file has no rows');

  const layout = detectLayout(first, records.lineOf(0));
  if (typeof layout === 'string') throw new ReplayFileError(file, layout);
  const firstData = layout.header ? 1 : 0;
  const data = records.rows.length - firstData;
  const reading: FileReading = {
    result: {
      file,
      series: [],
      rows: data + records.malformed.length,
      skippedRows: records.malformed.length,
      rejectedRows: [],
      problems: [],
    },
    records,
    rejections: [...records.malformed],
  };
  const decimalComma =
    records.delimiter === ';' &&
    usesDecimalComma(
      records.rows.slice(firstData, firstData + DECIMAL_SCAN_ROWS),
      layout,
    );

  const groups = groupBySymbol(records.rows, firstData, layout);
  for (const [symbolText, group] of groups) {
    const instrument = resolveSymbol(file, symbolText, layout);
    if (typeof instrument === 'string') {
      throw new ReplayFileError(file, instrument);
    }
    if (instrument === null) {
      const line = records.lineOf(group[0] ?? 0);
      reading.result.problems.push(
        `the symbol column on line ${line} is not a valid symbol`,
      );
      reading.result.skippedRows += group.length;
      continue;
    }
    readGroup(reading, instrument, group, { layout, decimalComma });
  }
  reading.result.rejectedRows = reading.rejections
    .sort((a, b) => a.line - b.line)
    .slice(0, LISTED_REJECTIONS);

  return reading.result;
}

function readGroup(
  reading: FileReading,
  instrument: Instrument,
  group: readonly number[],
  options: { layout: ColumnLayout; decimalComma: boolean },
): void {
  const { result, records } = reading;
  const zone = timeZoneOf(instrument);
  const rows: ParsedRow[] = [];
  const rowRecords: number[] = [];
  for (const index of group) {
    const row = parseRow(records.rows[index] ?? [], { ...options, zone });
    if (typeof row === 'string') {
      reading.rejections.push({ line: records.lineOf(index), reason: row });
      continue;
    }
    rows.push(row);
    rowRecords.push(index);
  }
  result.skippedRows += group.length - rows.length;

  const built = buildSeries(rows);
  if (typeof built === 'string') {
    result.problems.push(`${instrument.symbol}: ${built}`);
    result.skippedRows += rows.length;
    return;
  }
  result.skippedRows += built.skipped.length;
  for (const { index, reason } of built.skipped) {
    const line = records.lineOf(rowRecords[index] ?? 0);
    reading.rejections.push({ line, reason });
  }
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

/**
 * Groups the indices of data records by the symbol column, in order of
 * first appearance.
 */
function groupBySymbol(
  records: readonly string[][],
  firstData: number,
  layout: ColumnLayout,
): Map<string | null, number[]> {
  const groups = new Map<string | null, number[]>();
  for (let index = firstData; index < records.length; index += 1) {
    const record = records[index] ?? [];
    const key =
      layout.symbol === undefined ? null : (record[layout.symbol] ?? '').trim();
    const group = groups.get(key);
    if (group) group.push(index);
    else groups.set(key, [index]);
  }

  return groups;
}

/**
 * Returns the instrument, null when a symbol column contains an invalid
 * symbol, or a message saying why the file name gives no symbol.
 */
function resolveSymbol(
  file: string,
  symbolText: string | null,
  layout: ColumnLayout,
): Instrument | string | null {
  if (symbolText !== null) return trySymbol(symbolText);
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
