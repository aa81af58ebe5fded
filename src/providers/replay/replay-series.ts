import type { Bar, CorporateAction } from '../../market/bar.js';
import type { Interval } from '../../market/interval.js';
import type { Instrument } from '../../market/symbol.js';

/** Prices adjusted for splits and dividends, from the file's own columns. */
export interface AdjustedPrices {
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number | null;
}

/**
 * A bar as the file states it, plus its adjusted prices where known and
 * the name of the file it was read from. Neither field is served as is.
 */
export interface StoredBar extends Bar {
  adjusted?: AdjustedPrices;
  origin?: string;
}

/** Bars of one symbol and interval, ascending by time, without duplicates. */
export interface ReplaySeries {
  instrument: Instrument;
  interval: Interval;
  bars: StoredBar[];
  events: CorporateAction[];
  /** Files the bars came from, in name order. */
  files: string[];
}
