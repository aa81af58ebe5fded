import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { LoggerService } from '@nestjs/common';
import { CsvError } from 'csv-parse/sync';
import {
  readReplayFile,
  ReplayFileError,
  type FileReadResult,
  type FileSeries,
} from './replay-file.js';
import type { ReplaySeries } from './replay-series.js';
import { mergeSeries, PRICE_TOLERANCE } from './series-merge.js';

/** Figures of one directory load, shown in the source status. */
export interface LoadStats {
  filesRead: number;
  filesSkipped: number;
  series: number;
  symbols: number;
  rowsRead: number;
  rowsSkipped: number;
  /** Pairs of files that disagree on overlapping bars. */
  conflicts: number;
  loadMs: number;
}

export interface DirectoryLoad {
  series: ReplaySeries[];
  stats: LoadStats;
}

const EXTENSIONS = new Set(['.csv', '.txt']);
/** Larger files are skipped, because each file is parsed as one string. */
const MAX_FILE_BYTES = 256 * 1024 * 1024;

/**
 * Reads every `*.csv` and `*.txt` file directly in `dir`, in name order
 * (code unit order, so `-` sorts before `.`), and merges their series.
 * Logs one line per file with its skipped rows, one warning per file that
 * cannot be read and one per pair of files that disagree. Throws when the
 * directory itself cannot be listed.
 */
export async function loadDirectory(
  dir: string,
  logger: LoggerService,
  now: () => number = Date.now,
): Promise<DirectoryLoad> {
  const started = now();
  const names = await listDataFiles(dir);
  const parts: FileSeries[] = [];
  let filesRead = 0;
  let rowsRead = 0;
  let rowsSkipped = 0;

  for (const name of names) {
    const result = await readOne(dir, name, logger);
    if (!result) continue;
    filesRead += 1;
    rowsRead += result.rows;
    rowsSkipped += result.skippedRows;
    parts.push(...result.series);
  }

  const { series, conflicts } = mergeSeries(parts);
  for (const conflict of conflicts) {
    logger.warn(
      `${conflict.symbol} ${conflict.interval}: ${conflict.rows} bars of ${conflict.dropped} differ from ${conflict.kept} by more than ${PRICE_TOLERANCE * 100}%; kept those of ${conflict.kept}`,
    );
  }

  return {
    series,
    stats: {
      filesRead,
      filesSkipped: names.length - filesRead,
      series: series.length,
      symbols: new Set(series.map((stored) => stored.instrument.symbol)).size,
      rowsRead,
      rowsSkipped,
      conflicts: conflicts.length,
      loadMs: now() - started,
    },
  };
}

async function listDataFiles(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Replay directory ${dir} cannot be read: ${reason}`, {
      cause: error,
    });
  }

  return entries
    .filter((entry) => entry.isFile() || entry.isSymbolicLink())
    .map((entry) => entry.name)
    .filter((name) => EXTENSIONS.has(path.extname(name).toLowerCase()))
    .sort();
}

/**
 * Reads and parses one file. Returns null, after logging the reason, when it
 * cannot.
 */
async function readOne(
  dir: string,
  name: string,
  logger: LoggerService,
): Promise<FileReadResult | null> {
  const file = path.join(dir, name);
  try {
    const { size } = await stat(file);
    if (size > MAX_FILE_BYTES) {
      logger.warn(
        `Skipped ${name}: its ${size} bytes exceed the limit of ${MAX_FILE_BYTES} bytes`,
      );
      return null;
    }
    const result = readReplayFile(name, await readFile(file, 'utf8'));
    logFile(result, logger);

    return result;
  } catch (error) {
    // One bad file never stops the load: it is logged and left out.
    logger.warn(`Skipped ${name}: ${failureReason(error)}`);

    return null;
  }
}

/**
 * Describes why a file could not be read without quoting it. The CSV
 * parser's messages can contain field values, so only its code and line are
 * kept. File system messages name the path and the system error.
 */
function failureReason(error: unknown): string {
  if (error instanceof ReplayFileError) return error.reason;
  if (error instanceof CsvError) {
    const line = typeof error.lines === 'number' ? error.lines : 'unknown';
    return `the file is not valid CSV (${error.code} at line ${line})`;
  }

  return error instanceof Error ? error.message : String(error);
}

function logFile(result: FileReadResult, logger: LoggerService): void {
  const series = result.series
    .map(
      (stored) =>
        `${stored.instrument.symbol} ${stored.interval} (${stored.bars.length} bars)`,
    )
    .join(', ');
  logger.log(
    `Read ${result.file}: ${result.rows} rows, ${result.skippedRows} skipped; ${series || 'no series'}`,
  );
  for (const { line, reason } of result.rejectedRows) {
    logger.warn(`Skipped line ${line} of ${result.file}: ${reason}`);
  }
  for (const problem of result.problems) {
    logger.warn(`Skipped part of ${result.file}: ${problem}`);
  }
}
