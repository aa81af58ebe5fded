import { parse, type Options } from 'csv-parse/sync';
import { detectDelimiter, type Delimiter } from './csv-layout.js';

/** A rejected row and the reason. Reasons name fields, never cell contents. */
export interface RejectedRow {
  /** Line on which the record ends, counted from 1. */
  line: number;
  reason: string;
}

/** The records of one file, with line numbers looked up on demand. */
export interface CsvRecords {
  delimiter: Delimiter;
  /** Records as arrays of trimmed cells, without empty lines. */
  rows: string[][];
  /** Records the CSV parser could not read. */
  malformed: RejectedRow[];
  /** Returns the line on which `rows[index]` ends, counted from 1. */
  lineOf(index: number): number;
}

/**
 * Parses a file's text leniently: a byte order mark, ragged rows and stray
 * quotes are accepted, and records the parser still cannot read are listed
 * with their line and the parser's error code. Line numbers of readable
 * records cost a second parse, so it runs only when one is requested.
 */
export function parseRecords(text: string): CsvRecords {
  const body = text.replace(/^\uFEFF/, '');
  const firstLine = body.split(/\r?\n/, 1)[0] ?? '';
  const delimiter = detectDelimiter(firstLine);
  const options: Options = {
    delimiter,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    trim: true,
  };
  const malformed: RejectedRow[] = [];
  const rows = parse(body, {
    ...options,
    on_skip: (error) => {
      const line = typeof error?.lines === 'number' ? error.lines : 0;
      const code = error?.code ?? 'unknown error';
      malformed.push({ line, reason: `the record is not valid CSV (${code})` });
      return undefined;
    },
  });

  let headerLine: number | undefined;
  let lines: number[] | undefined;
  const lineOf = (index: number) => {
    if (lines) return lines[index] ?? 0;
    // Every file asks for its header's line, so that one comes from parsing
    // the first record alone rather than the whole text again.
    if (index === 0) {
      headerLine ??= recordLines(body, options, 1)[0] ?? 0;
      return headerLine;
    }
    lines = recordLines(body, options);

    return lines[index] ?? 0;
  };

  return { delimiter, rows, malformed, lineOf };
}

/** Returns the end line of each record, of the first `count` when given. */
function recordLines(body: string, options: Options, count?: number): number[] {
  const lines: number[] = [];
  parse(body, {
    ...options,
    ...(count === undefined ? {} : { to: count }),
    on_record: (record, context) => {
      lines.push(context.lines);
      return record;
    },
  });

  return lines;
}
