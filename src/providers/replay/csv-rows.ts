import type { ColumnLayout } from './csv-layout.js';
import { parseNumber } from './csv-number.js';
import { parseTimestamp, type Stamp } from './csv-timestamp.js';
import { adjustedPricesOf } from './adjustment.js';
import type { AdjustedPrices } from './replay-series.js';
import { impossibleValue } from './row-checks.js';

/** One readable data row of a file. */
export interface ParsedRow {
  stamp: Stamp;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number | null;
  adjClose?: number;
  adjusted?: AdjustedPrices;
  /** Cash dividend going ex on this row's date, or null. */
  dividend: number | null;
  /** Shares after the split per share before it, or null. */
  split: number | null;
}

export interface RowOptions {
  layout: ColumnLayout;
  /** Zone for timestamps written without a UTC offset. */
  zone: string;
  decimalComma: boolean;
}

/**
 * Reads one record, or returns why it cannot be a bar. A record is rejected
 * when its time cannot be read, a price is missing or not a number, the
 * volume is not a number, or impossibleValue finds a reason. A missing
 * volume is null. Optional cells that are not finite numbers count as
 * missing.
 */
export function parseRow(
  record: readonly string[],
  { layout, zone, decimalComma }: RowOptions,
): ParsedRow | string {
  const cell = (index: number | undefined) =>
    index === undefined ? undefined : record[index];
  const number = (index: number | undefined) => {
    const text = cell(index);
    return text === undefined ? null : parseNumber(text, decimalComma);
  };

  const stamp = parseTimestamp(timeText(record, layout), zone);
  if (!stamp) return 'the time cannot be read';
  const open = number(layout.open);
  const high = number(layout.high);
  const low = number(layout.low);
  const close = number(layout.close);
  if (typeof open !== 'number') return unreadable('open', open);
  if (typeof high !== 'number') return unreadable('high', high);
  if (typeof low !== 'number') return unreadable('low', low);
  if (typeof close !== 'number') return unreadable('close', close);
  const volume = number(layout.volume);
  if (volume === undefined) return 'the volume is not a number';
  const raw = { open, high, low, close, volume };
  const impossible = impossibleValue(raw);
  if (impossible) return impossible;

  const optional = (index: number | undefined) => {
    const value = number(index);
    return typeof value === 'number' && Number.isFinite(value)
      ? value
      : undefined;
  };
  const adjClose = positive(optional(layout.adjClose)) ?? undefined;
  const adjusted = adjustedPricesOf(raw, {
    open: optional(layout.adjOpen),
    high: optional(layout.adjHigh),
    low: optional(layout.adjLow),
    close: adjClose,
    volume: optional(layout.adjVolume),
  });

  return {
    stamp,
    ...raw,
    ...(adjClose === undefined ? {} : { adjClose }),
    ...(adjusted === undefined ? {} : { adjusted }),
    dividend: positive(optional(layout.dividend)),
    split: parseSplitRatio(cell(layout.split), decimalComma),
  };
}

function unreadable(field: string, value: null | undefined): string {
  return value === null
    ? `the ${field} is missing`
    : `the ${field} is not a number`;
}

function timeText(record: readonly string[], layout: ColumnLayout): string {
  const date = record[layout.time] ?? '';
  if (layout.timeOfDay === undefined) return date;

  return `${date.trim()} ${(record[layout.timeOfDay] ?? '').trim()}`;
}

function positive(value: number | undefined): number | null {
  return value !== undefined && value > 0 ? value : null;
}

/**
 * Reads a split cell written as a ratio (`7.0`) or as `new:old` (`2:1`,
 * `3/2`). Zero, one and empty mean no split: Yahoo writes 0, zipline and
 * Quandl write 1.
 */
export function parseSplitRatio(
  text: string | undefined,
  decimalComma = false,
): number | null {
  if (text === undefined) return null;
  const fraction = /^\s*(\d+(?:\.\d+)?)\s*[:/]\s*(\d+(?:\.\d+)?)\s*$/.exec(
    text,
  );
  const ratio = fraction
    ? Number(fraction[1]) / Number(fraction[2])
    : parseNumber(text, decimalComma);
  if (typeof ratio !== 'number' || !Number.isFinite(ratio)) return null;
  if (ratio <= 0 || ratio === 1) return null;

  return ratio;
}
