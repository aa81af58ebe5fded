import type { Bar, BarSeries } from '../market/bar.js';
import type { Profile } from '../market/profile.js';
import type { Quote } from '../market/quote.js';

/** JSON shapes of the REST API: instants become ISO 8601 strings in UTC. */

export type QuoteJson = Omit<Quote, 'asOf'> & { asOf: string };

export function quoteJson(quote: Quote): QuoteJson {
  return { ...quote, asOf: iso(quote.asOf) };
}

export type BarJson = Omit<Bar, 'time' | 'date'> & {
  date?: string;
  time?: string;
};

/** Daily and longer bars carry their trading `date`; intraday bars their start `time`. */
export function barJson(bar: Bar): BarJson {
  const { time, date, ...rest } = bar;

  return date ? { date, ...rest } : { time: iso(time), ...rest };
}

export function historyJson(series: BarSeries) {
  const { bars, asOf, ...rest } = series;

  return { ...rest, asOf: iso(asOf), bars: bars.map(barJson) };
}

export function profileJson(profile: Profile) {
  return { ...profile, asOf: iso(profile.asOf) };
}

const CSV_COLUMNS = [
  'open',
  'high',
  'low',
  'close',
  'volume',
  'adjClose',
  'complete',
] as const;

/**
 * Bars as CSV with a header row. Numbers are written in JavaScript's shortest
 * round-trip form, so parsing the file gives back the JSON values exactly.
 */
export function historyCsv(series: BarSeries): string {
  const daily = series.bars.some((bar) => bar.date !== undefined);
  const header = [daily ? 'date' : 'time', ...CSV_COLUMNS].join(',');
  const rows = series.bars.map((bar) => {
    const key = daily ? (bar.date ?? '') : iso(bar.time);
    const values = CSV_COLUMNS.map((column) => {
      const value = bar[column];
      return value === undefined || value === null ? '' : String(value);
    });

    return [key, ...values].join(',');
  });

  return [header, ...rows].join('\n') + '\n';
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
