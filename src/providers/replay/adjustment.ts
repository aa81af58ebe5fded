import type { Adjustment, Bar } from '../../market/bar.js';
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

/**
 * Returns the bars to serve. Unadjusted bars are exactly as stored, with
 * `adjClose` where the file has one. Adjusted bars take the adjusted prices
 * where a row has them and stay as stored where it does not.
 */
export function viewBars(bars: readonly StoredBar[], adjusted: boolean): Bar[] {
  return bars.map((stored) => {
    const { adjusted: prices, ...bar } = stored;
    if (!adjusted || !prices) return bar;
    const adjustedBar: Bar = { ...bar, ...prices };
    delete adjustedBar.adjClose;

    return adjustedBar;
  });
}

/**
 * Names the adjustment of served bars. Adjusted bars count as split+dividend
 * only when every one of them had adjusted prices. A mix reports raw,
 * because that is the weaker promise.
 */
export function adjustmentOf(
  bars: readonly StoredBar[],
  adjusted: boolean,
): Adjustment {
  if (!adjusted || bars.length === 0) return 'raw';

  return bars.every((bar) => bar.adjusted) ? 'split+dividend' : 'raw';
}
