import type { Bar, CorporateAction } from '../../market/bar.js';
import { aggregateBars } from '../../market/bar-aggregation.js';
import type { UsEquityCalendar } from '../../market/exchange-calendar.js';
import { US_EQUITY_ZONE } from '../../market/exchange-zones.js';
import type { HistoryQuery, HistoryResult } from '../market-data-source.js';
import { WIKI_COVERAGE, dayMs, type DailyWindow } from './wiki-window.js';
import type { WikiRow } from './wiki-rows.js';

const DAY_MS = 86_400_000;

/** Rows left out of the bars, by reason. */
export interface DroppedRows {
  /** Without a ticker or a valid date, or with a price missing, `"null"`, NaN or not positive. */
  invalid: number;
  /** A second row for a date; the row of the preferred ticker spelling is kept. */
  duplicate: number;
  /** Dated outside the requested `date.gte` to `date.lte`. */
  outside: number;
  /** Of a ticker that was not requested. */
  foreign: number;
}

/** A history result, and the rows left out while building it. */
export interface WikiHistory {
  result: HistoryResult;
  dropped: DroppedRows;
  /** Rows of the requested tickers inside the window, before prices were checked. */
  rowsInWindow: number;
}

export interface HistoryInput {
  rows: readonly WikiRow[];
  /** Rows already dropped for lacking a ticker or date. */
  undated: number;
  query: HistoryQuery;
  window: DailyWindow;
  /** Spellings that were requested, the preferred one first. */
  tickers: readonly string[];
  calendar: UsEquityCalendar;
  now: number;
}

/**
 * Builds the bars of a query from WIKI rows, which the table returns in no
 * particular order: rows are placed in the requested window, sorted by
 * date and kept once per date. Daily bars are dated by the row's trading
 * date; weeks and months are merged from them. Dividends and splits come
 * from every row in the window, also from rows whose prices are unusable.
 */
export function buildHistory(input: HistoryInput): WikiHistory {
  const { query, window } = input;
  const rank = new Map(input.tickers.map((ticker, index) => [ticker, index]));
  const requested = input.rows.filter((row) => rank.has(row.ticker));
  const inWindow = requested.filter(
    (row) => row.date >= window.gte && row.date <= window.lte,
  );
  const unique = keepOnePerDate(inWindow, rank);
  const daily = unique.flatMap((row) => dailyBar(row, input.now));
  const bars = fitToQuery(toInterval(daily, input), query);

  return {
    result: {
      bars,
      events: eventsOf(unique),
      adjustment: query.adjusted ? 'split+dividend' : 'raw',
      timeZone: US_EQUITY_ZONE,
      coverage: { ...WIKI_COVERAGE },
      asOf: input.now,
    },
    dropped: {
      invalid: input.undated + unique.length - daily.length,
      duplicate: inWindow.length - unique.length,
      outside: requested.length - inWindow.length,
      foreign: input.rows.length - requested.length,
    },
    rowsInWindow: inWindow.length,
  };
}

/** Sorts rows by date and keeps, per date, the row of the best-ranked ticker. */
function keepOnePerDate(
  rows: readonly WikiRow[],
  rank: ReadonlyMap<string, number>,
): WikiRow[] {
  const rankOf = (row: WikiRow) => rank.get(row.ticker) ?? rank.size;
  const sorted = [...rows].sort(
    (a, b) => compareText(a.date, b.date) || rankOf(a) - rankOf(b),
  );

  return sorted.filter((row, index) => sorted[index - 1]?.date !== row.date);
}

function dailyBar(row: WikiRow, now: number): Bar[] {
  if (!row.prices) return [];
  const time = dayMs(row.date);

  return [
    { time, date: row.date, ...row.prices, complete: time + DAY_MS <= now },
  ];
}

/**
 * Merges daily bars into weeks or months. The data ends with the last
 * requested day, or with the table, so a period it stops inside is
 * incomplete.
 */
function toInterval(daily: Bar[], input: HistoryInput): Bar[] {
  const { interval } = input.query;
  if (interval === '1d') return daily;
  const dataEnd = Math.min(dayMs(input.window.lte) + DAY_MS, input.now);

  return aggregateBars(daily, interval, {
    timeZone: US_EQUITY_ZONE,
    dataEnd,
    isTradingDay: (date) => input.calendar.isTradingDay(date),
  });
}

/** Keeps the bars in `[start, end]`, or the latest `limit` up to `end` without a start. */
function fitToQuery(bars: Bar[], query: HistoryQuery): Bar[] {
  const inRange = bars.filter(
    (bar) =>
      (query.start === null || bar.time >= query.start) &&
      bar.time <= query.end,
  );

  return query.start === null
    ? inRange.slice(-query.limit)
    : inRange.slice(0, query.limit);
}

function eventsOf(rows: readonly WikiRow[]): CorporateAction[] {
  return rows.flatMap((row): CorporateAction[] => [
    ...(row.split === null
      ? []
      : [{ date: row.date, type: 'split' as const, ratio: row.split }]),
    ...(row.dividend === null
      ? []
      : [{ date: row.date, type: 'dividend' as const, amount: row.dividend }]),
  ]);
}

function compareText(a: string, b: string): number {
  if (a === b) return 0;

  return a < b ? -1 : 1;
}
