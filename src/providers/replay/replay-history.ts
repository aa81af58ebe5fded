import { DateTime } from 'luxon';
import { DataNotAvailableError } from '../../common/api.errors.js';
import type { Bar, CorporateAction } from '../../market/bar.js';
import type { UsEquityCalendar } from '../../market/exchange-calendar.js';
import { timeZoneOf } from '../../market/exchange-zones.js';
import { canAggregate, isDaily, type Interval } from '../../market/interval.js';
import type { HistoryQuery, HistoryResult } from '../market-data-source.js';
import { adjustmentOf, viewBars } from './adjustment.js';
import {
  coverageList,
  coverageOf,
  describeCoverage,
  type CatalogEntry,
} from './replay-catalog.js';
import type { ReplaySeries } from './replay-series.js';
import { aggregateSeries, barEnd } from './series-aggregation.js';

/**
 * Picks the series to serve `interval` from: the stored series of that
 * interval, else the finest stored one that aggregates into it. Returns
 * undefined when every stored series is coarser or misaligned.
 */
export function sourceSeries(
  entry: CatalogEntry,
  interval: Interval,
): ReplaySeries | undefined {
  return (
    entry.series.find((series) => series.interval === interval) ??
    entry.series.find((series) => canAggregate(series.interval, interval))
  );
}

/**
 * Returns all bars of `interval` for the entry, aggregated from the source
 * series and cached per source, interval and adjustment.
 */
export function barsOf(
  entry: CatalogEntry,
  source: ReplaySeries,
  interval: Interval,
  adjusted: boolean,
  calendar: UsEquityCalendar,
): Bar[] {
  const key = `${source.interval}>${interval}:${adjusted ? 'adjusted' : 'raw'}`;
  const cached = entry.views.get(key);
  if (cached) return cached;
  const bars = aggregateSeries(
    entry.instrument,
    viewBars(source.bars, adjusted),
    source.interval,
    interval,
    calendar,
  );
  entry.views.set(key, bars);

  return bars;
}

/**
 * Serves a history query from stored bars: the bars whose time lies in
 * [start, end], the events dated within it, and the coverage of the series
 * used. Throws DataNotAvailableError, saying what the files cover, when the
 * interval is finer than stored or no bar lies in the range.
 */
export function readHistory(
  entry: CatalogEntry,
  query: HistoryQuery,
  calendar: UsEquityCalendar,
): HistoryResult {
  const symbol = entry.instrument.symbol;
  const source = sourceSeries(entry, query.interval);
  if (!source) {
    throw notAvailable(
      entry,
      `The replay files hold ${symbol} as ${describeCoverage(entry)}, which cannot be served as ${query.interval} bars.`,
    );
  }

  const start = query.start ?? Number.NEGATIVE_INFINITY;
  const all = barsOf(entry, source, query.interval, query.adjusted, calendar);
  const bars = all
    .filter((bar) => bar.time >= start && bar.time <= query.end)
    .map((bar) => ({ ...bar }));
  const first = bars[0];
  const last = bars[bars.length - 1];
  if (!first || !last) {
    throw notAvailable(
      entry,
      `The replay files have no ${query.interval} bars for ${symbol} between ${rangeText(query)}; they hold ${describeCoverage(entry)}.`,
    );
  }

  const lastSourceBar = source.bars[source.bars.length - 1];
  const servedEnd = barEnd(last, query.interval);
  const storedInRange = source.bars.filter(
    (bar) => bar.time >= first.time && bar.time < servedEnd,
  );

  return {
    bars,
    events: eventsWithin(source.events, query, timeZoneOf(entry.instrument)),
    adjustment: adjustmentOf(storedInRange, query.adjusted),
    timeZone: timeZoneOf(entry.instrument),
    coverage: coverageOf(source),
    asOf: lastSourceBar ? barEnd(lastSourceBar, source.interval) : query.end,
  };
}

function notAvailable(entry: CatalogEntry, detail: string) {
  return new DataNotAvailableError(entry.instrument.symbol, detail, {
    coverage: coverageList(entry),
  });
}

/**
 * Keeps events dated between the dates of the bounds. Daily bounds are
 * midnights UTC of trading dates. Intraday bounds are instants, which are
 * dated in the instrument's zone.
 */
function eventsWithin(
  events: readonly CorporateAction[],
  query: HistoryQuery,
  zone: string,
): CorporateAction[] {
  const dateOf = (ms: number) =>
    isDaily(query.interval)
      ? isoInstant(ms).slice(0, 10)
      : (DateTime.fromMillis(clampToDateRange(ms), { zone }).toISODate() ?? '');
  const from = query.start === null ? '' : dateOf(query.start);
  const to = dateOf(query.end);

  return events.filter((event) => event.date >= from && event.date <= to);
}

/**
 * Writes the bounds as a client sends them: dates for daily and longer
 * intervals, whose bounds are midnights UTC of dates, else ISO instants.
 */
function rangeText(query: HistoryQuery): string {
  const text = (ms: number) =>
    isDaily(query.interval) ? isoInstant(ms).slice(0, 10) : isoInstant(ms);
  const from = query.start === null ? 'the start' : text(query.start);

  return `${from} and ${text(query.end)}`;
}

/** Largest distance from the epoch that a JavaScript Date can hold, in ms. */
const DATE_LIMIT_MS = 8.64e15;

function clampToDateRange(ms: number): number {
  return Math.min(Math.max(ms, -DATE_LIMIT_MS), DATE_LIMIT_MS);
}

function isoInstant(ms: number): string {
  return new Date(clampToDateRange(ms)).toISOString();
}
