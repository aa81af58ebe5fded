import type { Bar, CorporateAction } from '../../market/bar.js';
import { isDaily } from '../../market/interval.js';
import { currencyOf } from '../../market/listing-currency.js';
import type { HistoryQuery, HistoryResult } from '../market-data-source.js';
import {
  findSplitSizedJump,
  planAdjustment,
  scaleToAdjClose,
  type AdjustmentPlan,
  type SplitSizedJump,
} from './yahoo-adjustment.js';
import {
  barDate,
  chartCalendar,
  type ChartCalendar,
} from './yahoo-calendar.js';
import {
  chartPeriod,
  type ChartPeriod,
  type ChartResult,
} from './yahoo-chart.js';
import { readRows, type ChartRow } from './yahoo-rows.js';
import { priceUnit, shortestFloat32, type PriceUnit } from './yahoo-units.js';

/** Rows of a chart left out of the bars, by reason. */
export interface DroppedRows {
  /** A price null, `"null"`, NaN or not positive, or no adjusted close where one was needed. */
  missing: number;
  /** A second row for the same bar; the later row is kept. */
  duplicate: number;
  /** Outside the span requested from Yahoo (see chartPeriod). */
  outside: number;
}

/** A history result and what building it noticed. */
export interface ChartHistory {
  result: HistoryResult;
  dropped: DroppedRows;
  /** A split-sized jump that made the bars `raw`, or null. */
  jump: SplitSizedJump | null;
}

/**
 * Builds the bars of a history query from a chart result. Rows are dated
 * in the exchange's time zone, sorted, de-duplicated and cut to the query's
 * window, or to its last `limit` bars when it has no start. Their prices
 * follow planAdjustment and are converted from minor currency units.
 */
export function buildHistory(
  chart: ChartResult,
  query: HistoryQuery,
  now: number,
): ChartHistory {
  const calendar = chartCalendar(
    query.instrument,
    chart.meta.exchangeTimezoneName,
  );
  const unit = priceUnit(chart.meta.currency, currencyOf(query.instrument));
  const { rows, missing, hasAdjClose } = readRows(chart);
  const { served, duplicate, outside } = selectRows(rows, query, calendar);
  const events = chartEvents(chart, calendar, unit);
  const jump = findSplitSizedJump(
    served.map((row) => row.bar),
    (bar) => bar.date ?? calendar.dateOf(bar.time),
    events,
  );
  const plan = planAdjustment(query.adjusted, hasAdjClose, jump);
  const priced = priceRows(served, plan);
  const bars = priced.map((bar) => ({
    ...inUnit(bar, unit),
    complete: calendar.endOf(bar, query.interval) <= now,
  }));

  return {
    result: {
      bars,
      events,
      adjustment: plan.adjustment,
      timeZone: calendar.zone,
      asOf: now,
    },
    dropped: {
      missing: missing + served.length - priced.length,
      duplicate,
      outside,
    },
    jump,
  };
}

interface DatedRow {
  bar: Bar;
  adjClose: number | null;
}

/**
 * Returns the rows to serve: those inside the requested span, dated, one
 * per bar, and cut to the query's window or to its last `limit` bars.
 */
function selectRows(
  rows: readonly ChartRow[],
  query: HistoryQuery,
  calendar: ChartCalendar,
): { served: DatedRow[]; duplicate: number; outside: number } {
  const period = chartPeriod(query);
  const requested = rows.filter((row) => inPeriod(row, period));
  const dated = requested.map((row) => datedRow(row, query, calendar));
  const { unique, duplicate } = dropDuplicates(dated);
  // The span reaches beyond daily bounds on purpose, so this cut is not counted.
  const inWindow = unique.filter((row) => inRange(row.bar, query));
  const served = query.start === null ? inWindow.slice(-query.limit) : inWindow;

  return { served, duplicate, outside: rows.length - requested.length };
}

/** Prices rows as the plan says; a row without an adjusted close is left out when one is needed. */
function priceRows(rows: readonly DatedRow[], plan: AdjustmentPlan): Bar[] {
  return rows.flatMap(({ bar, adjClose }) => {
    if (plan.fromAdjClose) {
      return adjClose === null ? [] : [scaleToAdjClose(bar, adjClose)];
    }

    return [
      plan.keepAdjClose && adjClose !== null ? { ...bar, adjClose } : bar,
    ];
  });
}

function datedRow(
  row: ChartRow,
  query: HistoryQuery,
  calendar: ChartCalendar,
): DatedRow {
  const { time, adjClose, ...prices } = row;
  if (!isDaily(query.interval)) {
    return { bar: { time, ...prices, complete: false }, adjClose };
  }
  const date = barDate(calendar.dateOf(time), query.interval);
  const bar = { time: Date.parse(`${date}T00:00:00Z`), date, ...prices };

  return { bar: { ...bar, complete: false }, adjClose };
}

/** Sorts rows by time and keeps the last of each time, as Yahoo appends the live bar. */
function dropDuplicates(rows: DatedRow[]): {
  unique: DatedRow[];
  duplicate: number;
} {
  const byTime = new Map<number, DatedRow>();
  for (const row of rows) byTime.set(row.bar.time, row);
  const unique = [...byTime.values()].sort((a, b) => a.bar.time - b.bar.time);

  return { unique, duplicate: rows.length - unique.length };
}

function inPeriod(row: ChartRow, period: ChartPeriod): boolean {
  return row.time >= period.period1 * 1000 && row.time <= period.period2 * 1000;
}

function inRange(bar: Bar, query: HistoryQuery): boolean {
  return (
    (query.start === null || bar.time >= query.start) && bar.time <= query.end
  );
}

function inUnit(bar: Bar, unit: PriceUnit): Bar {
  const scaled: Bar = {
    ...bar,
    open: unit.scale(bar.open),
    high: unit.scale(bar.high),
    low: unit.scale(bar.low),
    close: unit.scale(bar.close),
  };
  if (bar.adjClose !== undefined) scaled.adjClose = unit.scale(bar.adjClose);

  return scaled;
}

/** Reads split and dividend events, dated by the exchange's trading date. */
function chartEvents(
  chart: ChartResult,
  calendar: ChartCalendar,
  unit: PriceUnit,
): CorporateAction[] {
  const splits = Object.values(chart.events?.splits ?? {}).map(
    (split): CorporateAction => ({
      date: calendar.dateOf(split.date * 1000),
      type: 'split',
      ratio: split.numerator / split.denominator,
    }),
  );
  const dividends = Object.values(chart.events?.dividends ?? {}).map(
    (dividend): CorporateAction => ({
      date: calendar.dateOf(dividend.date * 1000),
      type: 'dividend',
      amount: unit.scale(shortestFloat32(dividend.amount)),
    }),
  );

  return [...splits, ...dividends].sort((a, b) => a.date.localeCompare(b.date));
}
