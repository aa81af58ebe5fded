import { DateTime } from 'luxon';
import type { Bar } from '../../market/bar.js';
import type { UsEquityCalendar } from '../../market/exchange-calendar.js';
import { isUsListed, timeZoneOf } from '../../market/exchange-zones.js';
import {
  barEnd,
  INTERVAL_MS,
  isDaily,
  type Interval,
} from '../../market/interval.js';
import type { Quote } from '../../market/quote.js';
import { currencyOf } from '../../market/listing-currency.js';
import type { CatalogEntry } from './replay-catalog.js';
import { barsOf } from './replay-history.js';
import type { ReplaySeries } from './replay-series.js';

/** Decimal places of `changePercent`. */
const PERCENT_DECIMALS = 4;
/**
 * Significant digits of `change`: enough for sub-satoshi prices, few enough
 * to drop float artefacts.
 */
const CHANGE_DIGITS = 12;

/**
 * Builds the quote a replayed symbol closed at: the last close of the
 * series that ends latest, against the previous day's close. For intraday
 * data the day's open, high, low and volume merge that day's bars (the
 * regular session for US listings) and the previous close is the last close
 * of the previous trading day. The market counts as closed, since the data
 * has ended.
 */
export function buildQuote(
  entry: CatalogEntry,
  calendar: UsEquityCalendar,
): Quote {
  const series = latestSeries(entry);
  const latest = series.bars[series.bars.length - 1];
  if (!latest) throw new Error(`${entry.instrument.symbol} has no bars`);
  const { day, previous } = isDaily(series.interval)
    ? { day: latest, previous: series.bars[series.bars.length - 2] }
    : intradayDays(entry, series, latest, calendar);
  const price = latest.close;
  const previousClose = previous?.close ?? null;
  const change = previousClose === null ? null : price - previousClose;

  return {
    symbol: entry.instrument.symbol,
    assetClass: entry.instrument.assetClass,
    currency: currencyOf(entry.instrument),
    exchange: null,
    price,
    change: change === null ? null : Number(change.toPrecision(CHANGE_DIGITS)),
    changePercent:
      change === null || previousClose === 0 || previousClose === null
        ? null
        : roundTo((change / previousClose) * 100, PERCENT_DECIMALS),
    previousClose,
    open: day.open,
    high: day.high,
    low: day.low,
    volume: day.volume,
    bid: null,
    ask: null,
    session: 'closed',
    asOf: quoteTime(entry, series.interval, latest, calendar),
    source: 'replay',
    stale: false,
    delayed: 0,
  };
}

/** Picks the series whose data ends latest, the finer one on a tie. */
function latestSeries(entry: CatalogEntry): ReplaySeries {
  let best: ReplaySeries | undefined;
  let bestEnd = Number.NEGATIVE_INFINITY;
  for (const series of entry.series) {
    const last = series.bars[series.bars.length - 1];
    const end = last
      ? barEnd(last.time, series.interval)
      : Number.NEGATIVE_INFINITY;
    if (end > bestEnd) {
      best = series;
      bestEnd = end;
    }
  }
  if (!best) throw new Error(`${entry.instrument.symbol} has no series`);

  return best;
}

function intradayDays(
  entry: CatalogEntry,
  series: ReplaySeries,
  latest: Bar,
  calendar: UsEquityCalendar,
): { day: Bar; previous: Bar | undefined } {
  const zone = timeZoneOf(entry.instrument);
  const today = DateTime.fromMillis(latest.time, { zone }).toISODate() ?? '';
  const days = barsOf(entry, series, '1d', calendar);
  const previous = days.findLast((bar) => (bar.date ?? '') < today);
  const regularDay = days.findLast((bar) => bar.date === today);
  // A day with only pre-market bars so far has no regular-session bar yet.
  const day = regularDay ?? wholeDay(series.bars, today, zone);

  return { day, previous };
}

/**
 * Merges every bar of `date`, the date of the series' last bar, into one.
 * The day's bounds are found once, and only the bars at the end of the
 * series are scanned.
 */
function wholeDay(bars: readonly Bar[], date: string, zone: string): Bar {
  const dayStart = DateTime.fromISO(date, { zone }).toMillis();
  // findLastIndex scans from the end, so it stops at the day before.
  const first = bars.findLastIndex((bar) => bar.time < dayStart) + 1;
  const [open, ...rest] = bars.slice(first);
  if (!open) throw new Error(`no bars on ${date}`);
  const day: Bar = { ...open, time: Date.parse(date), date };
  for (const bar of rest) {
    day.high = Math.max(day.high, bar.high);
    day.low = Math.min(day.low, bar.low);
    day.close = bar.close;
    day.volume =
      day.volume === null || bar.volume === null
        ? (day.volume ?? bar.volume)
        : day.volume + bar.volume;
  }

  return day;
}

/**
 * Returns when the latest bar ended: the bar's end for intraday bars, the
 * session close for a US daily bar, and otherwise midnight after the
 * period in the instrument's zone.
 */
function quoteTime(
  entry: CatalogEntry,
  interval: Interval,
  latest: Bar,
  calendar: UsEquityCalendar,
): number {
  if (!isDaily(interval)) return latest.time + INTERVAL_MS[interval];
  const date = latest.date ?? '';
  const session =
    interval === '1d' && isUsListed(entry.instrument)
      ? calendar.tradingDay(date)
      : null;
  if (session) return session.close;
  const zone = timeZoneOf(entry.instrument);
  // TODO: session closes of non-US exchanges; their daily quotes end at local midnight.
  if (interval === '1d') {
    return DateTime.fromISO(date, { zone }).plus({ days: 1 }).toMillis();
  }

  return barEnd(latest.time, interval, zone);
}

function roundTo(value: number, decimals: number): number {
  const factor = 10 ** decimals;

  return Math.round(value * factor) / factor;
}
