import { DateTime } from 'luxon';
import { DataNotAvailableError } from '../../common/api.errors.js';
import type { Bar } from '../../market/bar.js';
import { aggregateBars } from '../../market/bar-aggregation.js';
import { isDaily, type Interval } from '../../market/interval.js';
import type { HistoryQuery } from '../market-data-source.js';
import { EPOCH_DATE, EPOCH_MS } from './daily-path.js';
import type { PriceSeries } from './price-series.js';
import { isoDate, type TradingSession } from './trading-hours.js';

type IntradayInterval = Exclude<Interval, '1d' | '1wk' | '1mo'>;

const DAY_MS = 86_400_000;

/**
 * Maximum span in calendar days of one intraday request. It bounds the
 * minutes generated per call: at most 86,400 for 60 days of crypto 1m bars
 * and 525,600 for a year of crypto 1h bars.
 */
export const MAX_INTRADAY_SPAN_DAYS: Readonly<
  Record<IntradayInterval, number>
> = {
  '1m': 60,
  '5m': 60,
  '15m': 60,
  '30m': 60,
  '1h': 365,
};

/**
 * Builds the bars of a history query as seen at `now`. Daily bars come from
 * the minute path of each session, and longer ones merge the daily bars.
 * Throws DataNotAvailableError for a range that ends before the epoch, or
 * an intraday span longer than MAX_INTRADAY_SPAN_DAYS.
 */
export function buildHistoryBars(
  series: PriceSeries,
  query: HistoryQuery,
  now: number,
): Bar[] {
  if (query.end < EPOCH_MS || now < EPOCH_MS) {
    throw new DataNotAvailableError(
      series.symbol,
      `Simulated data starts on ${EPOCH_DATE}. Request a range that ends on or after it.`,
      { start: query.start, end: query.end },
    );
  }
  if (isDaily(query.interval)) return dailyBars(series, query, now);

  return intradayBars(series, query, query.interval as IntradayInterval, now);
}

function dailyBars(series: PriceSeries, query: HistoryQuery, now: number) {
  const latest = series.latestSession(now);
  if (!latest) return [];
  const endDate = isoDate(query.end);
  const lastDate = latest.date < endDate ? latest.date : endDate;
  const firstDate =
    query.start === null
      ? firstDateOfLast(series, lastDate, query.limit, query.interval)
      : bucketStart(isoDate(Math.max(query.start, EPOCH_MS)), query.interval);

  const days: Bar[] = [];
  for (const session of series.sessionsBetween(firstDate, lastDate)) {
    const bar = series.dayBar(session, now);
    if (bar) days.push(bar);
  }
  const bars =
    query.interval === '1d'
      ? days
      : aggregateBars(days, query.interval, {
          timeZone: series.timeZone,
          dataEnd: now,
          isTradingDay: (date) => series.hours.isTradingDay(date),
        });

  return inRange(bars, query.start, query.end, query.limit);
}

/** Returns the first date to generate for the `limit` bars that end at `lastDate`. */
function firstDateOfLast(
  series: PriceSeries,
  lastDate: string,
  limit: number,
  interval: Interval,
): string {
  if (interval === '1d') return series.tradingDateBack(lastDate, limit - 1);
  const unit = interval === '1wk' ? 'weeks' : 'months';
  const last = DateTime.fromISO(bucketStart(lastDate, interval), {
    zone: 'utc',
  });
  const available = Math.ceil(
    last.diff(DateTime.fromISO(EPOCH_DATE, { zone: 'utc' }), unit).as(unit),
  );
  const first = last.minus({ [unit]: Math.min(limit - 1, available) });

  return first.toISODate() ?? EPOCH_DATE;
}

/** Returns the first date of the week or month that contains `date`. */
function bucketStart(date: string, interval: Interval): string {
  if (interval === '1d') return date;
  const unit = interval === '1wk' ? 'week' : 'month';

  return (
    DateTime.fromISO(date, { zone: 'utc' }).startOf(unit).toISODate() ?? date
  );
}

function intradayBars(
  series: PriceSeries,
  query: HistoryQuery,
  interval: IntradayInterval,
  now: number,
): Bar[] {
  const end = Math.min(query.end, now);
  const maxSpanDays = MAX_INTRADAY_SPAN_DAYS[interval];
  const maxSpan = maxSpanDays * DAY_MS;
  if (query.start !== null && end - query.start > maxSpan) {
    const requested = Math.ceil((end - query.start) / DAY_MS);
    throw new DataNotAvailableError(
      series.symbol,
      `${interval} history is limited to ${maxSpanDays} days per request, but ${requested} days were requested. Request a shorter range or a longer interval.`,
      { interval, maxSpanDays },
    );
  }
  const start = Math.max(query.start ?? end - maxSpan, EPOCH_MS);
  if (start > end) return [];
  const sessions = series.sessionsBetween(
    series.hours.dateAt(start),
    series.hours.dateAt(end),
  );
  const wanted = query.start === null ? query.limit : Number.POSITIVE_INFINITY;

  // Walk back from the latest session, so that a request without a start
  // generates only the sessions that its limit needs.
  const chunks: Bar[][] = [];
  let count = 0;
  for (let i = sessions.length - 1; i >= 0 && count < wanted; i -= 1) {
    const session = sessions[i] as TradingSession;
    const bars = sessionBars(series, session, interval, now).filter(
      (bar) => bar.time >= start && bar.time <= end,
    );
    chunks.push(bars);
    count += bars.length;
  }
  const bars = chunks.toReversed().flat();

  return query.start === null ? lastBars(bars, query.limit) : bars;
}

/**
 * Returns one session's bars of an intraday interval. Sessions meet on a
 * whole UTC hour (crypto, forex) or lie hours apart, so no intraday bucket
 * spans two sessions and merging per session equals merging the range.
 */
function sessionBars(
  series: PriceSeries,
  session: TradingSession,
  interval: IntradayInterval,
  now: number,
): Bar[] {
  const minutes = series.minuteBars(session, now);
  if (interval === '1m') return minutes;

  return aggregateBars(minutes, interval, {
    timeZone: series.timeZone,
    dataEnd: now,
  });
}

function inRange(
  bars: Bar[],
  start: number | null,
  end: number,
  limit: number,
): Bar[] {
  const kept = bars.filter(
    (bar) => (start === null || bar.time >= start) && bar.time <= end,
  );

  return start === null ? lastBars(kept, limit) : kept;
}

function lastBars(bars: Bar[], limit: number): Bar[] {
  return limit > 0 ? bars.slice(-limit) : [];
}
