import { DateTime } from 'luxon';
import { DataNotAvailableError } from '../../common/api.errors.js';
import type { Bar, CorporateAction } from '../../market/bar.js';
import type { UsEquityCalendar } from '../../market/exchange-calendar.js';
import { timeZoneOf } from '../../market/exchange-zones.js';
import {
  barEnd,
  canAggregate,
  isDaily,
  type Interval,
} from '../../market/interval.js';
import type { HistoryQuery, HistoryResult } from '../market-data-source.js';
import { basisBars, type ViewBasis } from './adjusted-view.js';
import { planAdjustment } from './adjustment-plan.js';
import { publicBar } from './adjustment.js';
import { barsBetween } from './bar-search.js';
import {
  coverageList,
  coverageOf,
  describeCoverage,
  type CatalogEntry,
} from './replay-catalog.js';
import type { ReplaySeries, StoredBar } from './replay-series.js';
import { aggregateSeries } from './series-aggregation.js';
import { seriesDays, type SeriesDays } from './series-days.js';

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
 * Returns all bars of `interval` for the entry, built from the source
 * series as `basis` serves it and cached by symbol, intervals and basis.
 * Stored bars of the requested interval are returned as they are, with
 * their internal fields, because copying them would cost as much as the
 * request.
 */
export function barsOf(
  entry: CatalogEntry,
  source: ReplaySeries,
  interval: Interval,
  calendar: UsEquityCalendar,
  basis: ViewBasis = 'stored',
): Bar[] {
  if (source.interval === interval && basis === 'stored') return source.bars;
  const key = `${entry.instrument.symbol}|${source.interval}>${interval}|${basis}`;

  return entry.views.get(key, () =>
    aggregateSeries(
      entry.instrument,
      basisBars(source, basis, daysOf(source)),
      source.interval,
      interval,
      calendar,
    ),
  );
}

/**
 * Serves a history query from stored bars: the bars whose time lies in
 * [start, end], the events dated within it, and the coverage of the series
 * used. Prices and the `adjustment` label follow planAdjustment. Throws
 * DataNotAvailableError, saying what the files cover, when the interval is
 * finer than stored or no bar lies in the range.
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

  const zone = timeZoneOf(entry.instrument);
  const start = query.start ?? Number.NEGATIVE_INFINITY;
  const until = query.end + 1;
  const stored = barsBetween(
    barsOf(entry, source, query.interval, calendar),
    start,
    until,
  );
  const first = stored[0];
  const last = stored[stored.length - 1];
  if (!first || !last) {
    throw notAvailable(
      entry,
      `The replay files have no ${query.interval} bars for ${symbol} between ${rangeText(query)}; they hold ${describeCoverage(entry)}.`,
    );
  }

  const plan = planAdjustment(
    source,
    storedSpan(source, first, last, query.interval, zone),
    first.date ?? localDate(first.time, zone),
    query.adjusted,
    daysOf(source),
  );
  const bars =
    plan.basis === 'stored'
      ? stored
      : barsBetween(
          barsOf(entry, source, query.interval, calendar, plan.basis),
          start,
          until,
        );
  const lastSourceBar = source.bars[source.bars.length - 1];

  return {
    bars: bars.map(publicBar),
    events: eventsWithin(source.events, query, zone),
    adjustment: plan.adjustment,
    timeZone: zone,
    coverage: coverageOf(source),
    asOf: lastSourceBar
      ? barEnd(lastSourceBar.time, source.interval)
      : query.end,
  };
}

/**
 * Returns the stored bars that the served bars from `first` to `last` are
 * built from. Daily bars built from intraday ones cover their dates in the
 * instrument's zone.
 */
function storedSpan(
  source: ReplaySeries,
  first: Bar,
  last: Bar,
  interval: Interval,
  zone: string,
): StoredBar[] {
  const end = barEnd(last.time, interval);
  if (!isDaily(interval) || isDaily(source.interval)) {
    return barsBetween(source.bars, first.time, end);
  }
  const localStart = (ms: number) =>
    DateTime.fromISO(isoInstant(ms).slice(0, 10), { zone }).toMillis();

  return barsBetween(source.bars, localStart(first.time), localStart(end));
}

function daysOf(source: ReplaySeries): SeriesDays {
  return seriesDays(isDaily(source.interval), timeZoneOf(source.instrument));
}

function localDate(ms: number, zone: string): string {
  return DateTime.fromMillis(ms, { zone }).toISODate() ?? '';
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
