import type { ChartCell, ChartResult } from './yahoo-chart.js';
import { shortestFloat32 } from './yahoo-units.js';

/** One chart row with every price present and positive; `time` in epoch ms. */
export interface ChartRow {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number | null;
  /** The split- and dividend-adjusted close, or null where Yahoo has none. */
  adjClose: number | null;
}

/**
 * Reads the rows of a chart result. A row whose open, high, low or close is
 * null, a string such as `"null"` or `"NaN"`, or not positive is dropped
 * and counted in `missing`. Yahoo sends such rows of nulls for days with a
 * timestamp but no trades. A missing volume is kept as null.
 */
export function readRows(result: ChartResult): {
  rows: ChartRow[];
  missing: number;
  hasAdjClose: boolean;
} {
  const timestamps = result.timestamp ?? [];
  const quote = result.indicators.quote?.[0] ?? {};
  const adjusted = result.indicators.adjclose?.[0]?.adjclose;
  const rows: ChartRow[] = [];
  for (const [index, seconds] of timestamps.entries()) {
    const open = price(quote.open?.[index]);
    const high = price(quote.high?.[index]);
    const low = price(quote.low?.[index]);
    const close = price(quote.close?.[index]);
    if (open === null || high === null || low === null || close === null) {
      continue;
    }
    const volume = quote.volume?.[index];
    rows.push({
      time: seconds * 1000,
      open,
      high,
      low,
      close,
      volume: typeof volume === 'number' && volume >= 0 ? volume : null,
      adjClose: price(adjusted?.[index]),
    });
  }

  return {
    rows,
    missing: timestamps.length - rows.length,
    hasAdjClose: adjusted !== undefined,
  };
}

function price(value: ChartCell | undefined): number | null {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    return null;
  }

  return shortestFloat32(value);
}
