import { readFileSync } from 'node:fs';
import path from 'node:path';
import { OHLCV_DIR } from './test-data.js';

/**
 * An independent reader of the test data files, deliberately simpler than
 * the replay source's parser: it knows each file's layout from the test that
 * names it, so the two can check each other.
 */
export interface FileRow {
  key: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  adjClose?: number;
  cells: Record<string, string>;
}

export interface FileLayout {
  file: string;
  /** Column holding the date or time; `''` for an unnamed first column. */
  dateColumn: string;
  /** Column name prefix such as `AAPL.` in plotly exports. */
  prefix?: string;
  adjCloseColumn?: string;
  /** Rows to keep, e.g. those whose date is a full date. */
  keep?: (cells: Record<string, string>) => boolean;
  /** Turns the date cell into the key the API reports (`date` or ISO `time`). */
  toKey?: (cell: string) => string;
}

function splitLine(line: string): string[] {
  const cells: string[] = [];
  let current = '';
  let quoted = false;
  for (const char of line) {
    if (char === '"') quoted = !quoted;
    else if (char === ',' && !quoted) {
      cells.push(current);
      current = '';
    } else current += char;
  }
  cells.push(current);

  return cells;
}

const number = (text: string | undefined) =>
  Number((text ?? '').replaceAll(',', ''));

/** Rows of a file in ascending key order. */
export function readLayout(layout: FileLayout): FileRow[] {
  const lines = readFileSync(path.join(OHLCV_DIR, layout.file), 'utf8')
    .split(/\r?\n/)
    .filter((line) => line.length > 0);
  const header = splitLine(lines[0] ?? '');
  const prefix = layout.prefix ?? '';
  const column = (cells: Record<string, string>, name: string) =>
    cells[prefix + name] ?? cells[prefix + name.toLowerCase()];
  const rows = lines.slice(1).map((line) => {
    const values = splitLine(line);
    return Object.fromEntries(
      header.map((name, index) => [name, values[index] ?? '']),
    );
  });

  return rows
    .filter((cells) => layout.keep?.(cells) ?? true)
    .map((cells) => ({
      key: (layout.toKey ?? ((cell: string) => cell))(
        cells[layout.dateColumn] ?? '',
      ),
      open: number(column(cells, 'Open')),
      high: number(column(cells, 'High')),
      low: number(column(cells, 'Low')),
      close: number(column(cells, 'Close')),
      volume: number(column(cells, 'Volume')),
      adjClose: layout.adjCloseColumn
        ? number(cells[layout.adjCloseColumn])
        : undefined,
      cells,
    }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
