import { DateTime } from 'luxon';
import type { Bar } from '../../market/bar.js';

const DAY_MS = 86_400_000;

/** Calendar days of one series, as its bars are dated and timed. */
export interface SeriesDays {
  /** Returns the trading date of a bar. */
  dateOf(bar: Bar): string;
  /** Returns the time at which bars of `date` start. */
  startOf(date: string): number;
}

/**
 * Returns the day arithmetic of a series. Daily and longer bars are dated
 * as stored and keyed by midnight UTC of their date. Intraday bars are
 * dated in `zone`, and their days start at local midnight.
 */
export function seriesDays(daily: boolean, zone: string): SeriesDays {
  if (daily) {
    return {
      dateOf: (bar) =>
        bar.date ?? new Date(bar.time).toISOString().slice(0, 10),
      startOf: (date) => Date.parse(date),
    };
  }

  return {
    dateOf: (bar) => DateTime.fromMillis(bar.time, { zone }).toISODate() ?? '',
    startOf: (date) => DateTime.fromISO(date, { zone }).toMillis(),
  };
}

/** Returns the ISO date of the day after `date`. */
export function nextDate(date: string): string {
  return new Date(Date.parse(date) + DAY_MS).toISOString().slice(0, 10);
}
