import type { Bar } from '../../market/bar.js';
import type { AdjustedPrices, StoredBar } from './replay-series.js';
import { impossibleValue } from './row-checks.js';

interface Prices {
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number | null;
}

/** Adjusted columns of one row, any of which may be missing. */
export interface AdjustedColumns {
  open?: number;
  high?: number;
  low?: number;
  close?: number;
  volume?: number;
}

/**
 * Derives a row's adjusted prices. Files with adjusted open, high, low and
 * close (Quandl's AdjOpen..AdjClose) are used as written. Files with only an
 * adjusted close (Yahoo's `Adj Close`) scale open, high and low by
 * adjClose/close and keep the volume. Returns undefined when the row has no
 * adjusted close, a close of zero, or adjusted columns that fail
 * impossibleValue.
 */
export function adjustedPricesOf(
  raw: Prices,
  columns: AdjustedColumns,
): AdjustedPrices | undefined {
  const { open, high, low, close, volume } = columns;
  if (close === undefined) return undefined;
  if (open !== undefined && high !== undefined && low !== undefined) {
    const written = { open, high, low, close, volume: volume ?? raw.volume };

    return impossibleValue(written) ? undefined : written;
  }
  if (raw.close === 0) return undefined;
  const factor = close / raw.close;

  return {
    open: raw.open * factor,
    high: raw.high * factor,
    low: raw.low * factor,
    close,
    volume: raw.volume,
  };
}

/** Returns a copy of a stored bar without the fields that are not served. */
export function publicBar(stored: StoredBar): Bar {
  const bar: StoredBar = { ...stored };
  delete bar.adjusted;
  delete bar.origin;

  return bar;
}

/**
 * Returns the bars to serve. Unadjusted bars are exactly as stored, with
 * `adjClose` where the file has one. Adjusted bars take the adjusted prices
 * where a row has them and stay as stored where it does not.
 */
export function viewBars(bars: readonly StoredBar[], adjusted: boolean): Bar[] {
  return bars.map((stored) => {
    const bar = publicBar(stored);
    if (!adjusted || !stored.adjusted) return bar;
    const adjustedBar: Bar = { ...bar, ...stored.adjusted };
    delete adjustedBar.adjClose;

    return adjustedBar;
  });
}

/** Returns the open and close a view serves for a stored bar. */
export function pricesIn(
  adjusted: boolean,
): (bar: StoredBar) => { open: number; close: number } {
  return (bar) => (adjusted && bar.adjusted) || bar;
}

/**
 * Tells whether the files' adjusted columns can serve these bars: every bar
 * has adjusted prices, and all come from one file. Files adjust to their
 * own last date, so adjusted prices of two files are on different bases
 * and would show a false move where one file ends.
 */
export function hasOneAdjustedSource(bars: readonly StoredBar[]): boolean {
  const origin = bars[0]?.origin;

  return (
    bars.length > 0 &&
    bars.every((bar) => bar.adjusted !== undefined && bar.origin === origin)
  );
}
