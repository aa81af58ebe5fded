import { DateTime } from 'luxon';
import { isDaily, periodStart, type Interval } from '../../market/interval.js';
import { readDecimal } from './decimal.js';
import type { SeriesPayload, SeriesRow } from './schemas.js';
import { canonicalZone } from './time-zones.js';

/** A row read from a series, before the request's window is applied. */
export interface SeriesBar {
  time: number;
  /** Trading date of daily and longer bars. */
  date?: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number | null;
  /** The row's own key, e.g. `2020-05-08` for the week of 2020-05-04. */
  sourceKey: string;
}

/** Bars of a payload in ascending time, and how many rows could not be read. */
export interface SeriesRead {
  bars: SeriesBar[];
  invalid: number;
}

const FIELD = /^\d+[a-z]?\. (open|high|low|close|volume)(?: \(([A-Z0-9]+)\))?$/;

/** Returns the IANA time zone the payload's meta data names, or null. */
export function seriesZone(meta: SeriesPayload['meta']): string | null {
  const entry = Object.entries(meta).find(([key]) => key.endsWith('Time Zone'));
  const name = entry?.[1];

  return typeof name === 'string' ? canonicalZone(name) : null;
}

/**
 * Reads the rows of a series into bars. Intraday keys are local times in
 * `zone`. Alpha Vantage dates weekly and monthly rows by the last trading
 * day of the period. This API dates them by the period's first day (Monday,
 * or the first of the month), as aggregated bars are, so the rows are
 * re-dated and then page and filter like those. `market` picks the `1a. open (EUR)` fields of older crypto payloads
 * that list each price in two currencies.
 */
export function readSeriesRows(
  payload: SeriesPayload,
  interval: Interval,
  zone: string,
  market?: string,
): SeriesRead {
  const bars: SeriesBar[] = [];
  let invalid = 0;
  for (const [key, row] of Object.entries(payload.rows)) {
    const bar = readRow(key, row, interval, zone, market);
    if (bar) bars.push(bar);
    else invalid += 1;
  }
  bars.sort((a, b) => a.time - b.time || compareText(a.sourceKey, b.sourceKey));

  return { bars, invalid };
}

function readRow(
  key: string,
  row: SeriesRow,
  interval: Interval,
  zone: string,
  market: string | undefined,
): SeriesBar | null {
  const stamp = isDaily(interval)
    ? dateStamp(key, interval)
    : timeStamp(key, zone);
  if (!stamp) return null;
  const fields = readFields(row, market);
  const { open, high, low, close } = fields;
  if (open === null || high === null || low === null || close === null) {
    return null;
  }

  return {
    ...stamp,
    open,
    high,
    low,
    close,
    volume: fields.volume,
    sourceKey: key,
  };
}

function dateStamp(
  key: string,
  interval: Interval,
): { time: number; date: string } | null {
  const day = DateTime.fromFormat(key.trim(), 'yyyy-MM-dd', { zone: 'utc' });
  if (!day.isValid) return null;
  const time = periodStart(day.toMillis(), interval);
  const date = DateTime.fromMillis(time, { zone: 'utc' }).toISODate();

  return date ? { time, date } : null;
}

/**
 * Reads an intraday key as the start of its bar.
 * NOTE: not confirmed; the recorded 2020 one-minute CSV stamps its bars
 * 04:01 to 20:00, as bar ends would be stamped.
 */
function timeStamp(key: string, zone: string): { time: number } | null {
  const text = key.trim();
  const format = text.length > 16 ? 'yyyy-MM-dd HH:mm:ss' : 'yyyy-MM-dd HH:mm';
  const local = DateTime.fromFormat(text, format, { zone });

  return local.isValid ? { time: local.toMillis() } : null;
}

type Field = 'open' | 'high' | 'low' | 'close' | 'volume';

function readFields(
  row: SeriesRow,
  market: string | undefined,
): Record<Field, number | null> {
  const values: Record<Field, number | null> = {
    open: null,
    high: null,
    low: null,
    close: null,
    volume: null,
  };
  const ranks: Record<Field, number> = {
    open: -1,
    high: -1,
    low: -1,
    close: -1,
    volume: -1,
  };
  for (const [name, cell] of Object.entries(row)) {
    const match = FIELD.exec(name);
    if (!match) continue;
    const field = match[1] as Field;
    const rank = fieldRank(match[2], market);
    if (rank <= ranks[field]) continue;
    ranks[field] = rank;
    values[field] = readDecimal(cell);
  }

  return values;
}

/**
 * Prefers a field in the market currency, then one without a currency,
 * then one in another currency, such as `1b. open (USD)`.
 */
function fieldRank(
  currency: string | undefined,
  market: string | undefined,
): number {
  if (currency === undefined) return 1;

  return currency === market ? 2 : 0;
}

function compareText(a: string, b: string): number {
  if (a === b) return 0;

  return a < b ? -1 : 1;
}
