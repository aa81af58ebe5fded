import { DateTime } from 'luxon';
import type { Bar } from '../../market/bar.js';
import { aggregateBars } from '../../market/bar-aggregation.js';
import type { UsEquityCalendar } from '../../market/exchange-calendar.js';
import { isUsListed, timeZoneOf } from '../../market/exchange-zones.js';
import { barEnd, isDaily, type Interval } from '../../market/interval.js';
import type { Instrument } from '../../market/symbol.js';

/**
 * Builds bars of `target` from ascending bars of the finer `source`
 * interval. Daily bars of a US listing built from intraday bars use the
 * regular session only (09:30 to 16:00 New York, or the early close), as
 * exchanges report the daily open and close. `dataEnd` is the end of the
 * stored data, so a bucket the data stops inside is marked incomplete.
 */
export function aggregateSeries(
  instrument: Instrument,
  bars: readonly Bar[],
  source: Interval,
  target: Interval,
  calendar: UsEquityCalendar,
): Bar[] {
  const last = bars[bars.length - 1];
  if (source === target || !last) return [...bars];

  const usListed = isUsListed(instrument);
  const input =
    usListed && isDaily(target) && !isDaily(source)
      ? regularSessionBars(bars, calendar)
      : bars;

  return aggregateBars(input, target, {
    timeZone: timeZoneOf(instrument),
    dataEnd: barEnd(last.time, source),
    isTradingDay: tradingDayTest(instrument, calendar),
    sessionClose: usListed
      ? (date) => calendar.tradingDay(date)?.close ?? Number.POSITIVE_INFINITY
      : undefined,
  });
}

/**
 * Returns the test for trading days: the US calendar for US listings, Monday
 * to Friday for other equities, indices and currency pairs, and none (every
 * day trades) for crypto.
 */
export function tradingDayTest(
  instrument: Instrument,
  calendar: UsEquityCalendar,
): ((date: string) => boolean) | undefined {
  if (instrument.assetClass === 'crypto') return undefined;
  if (isUsListed(instrument)) return (date) => calendar.isTradingDay(date);

  return (date) => DateTime.fromISO(date, { zone: 'utc' }).weekday <= 5;
}

/**
 * Keeps the bars inside each day's regular session. The day and its session
 * are worked out once per calendar day, so each bar costs two comparisons.
 */
function regularSessionBars(
  bars: readonly Bar[],
  calendar: UsEquityCalendar,
): Bar[] {
  const kept: Bar[] = [];
  let dayStart = Number.POSITIVE_INFINITY;
  let dayEnd = Number.NEGATIVE_INFINITY;
  let session: { open: number; close: number } | null = null;
  for (const bar of bars) {
    if (bar.time < dayStart || bar.time >= dayEnd) {
      const day = DateTime.fromMillis(bar.time, { zone: calendar.timeZone });
      const midnight = day.startOf('day');
      dayStart = midnight.toMillis();
      dayEnd = midnight.plus({ days: 1 }).toMillis();
      session = calendar.tradingDay(day.toISODate() ?? '');
    }
    if (session && bar.time >= session.open && bar.time < session.close) {
      kept.push(bar);
    }
  }

  return kept;
}
