import type { Interval } from './interval.js';

/**
 * One OHLCV bar. `time` is the bar's start in epoch milliseconds; for daily and
 * longer bars it is midnight UTC of `date`, the exchange's trading day.
 */
export interface Bar {
  time: number;
  date?: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number | null;
  /** Close adjusted for splits and dividends, where the source provides one. */
  adjClose?: number;
  /** False while the bar is still forming or the data ends inside it. */
  complete: boolean;
}

export type Adjustment = 'raw' | 'split' | 'split+dividend';

export type CorporateAction =
  | { date: string; type: 'split'; ratio: number }
  | { date: string; type: 'dividend'; amount: number };

/** Start and end of the data a source holds for one series. */
export interface Coverage {
  from: string;
  to: string;
}

/** Bars for one symbol and interval, with what they hold and where they came from. */
export interface BarSeries {
  symbol: string;
  interval: Interval;
  timeZone: string;
  adjustment: Adjustment;
  source: string;
  asOf: number;
  stale: boolean;
  bars: Bar[];
  events: CorporateAction[];
  coverage?: Coverage;
  /** Opaque cursor for the rest of the requested range, or null. */
  next: string | null;
}
