import { DateTime } from 'luxon';
import type { UsEquityCalendar } from '../../market/exchange-calendar.js';
import { isUsListed } from '../../market/exchange-zones.js';
import { barEnd, INTERVAL_MS, type Interval } from '../../market/interval.js';
import type { Instrument } from '../../market/symbol.js';
import type { SeriesBar } from './series-rows.js';

/**
 * Returns the instant after which a bar can no longer change. That is the
 * bar's end for intraday bars and the session close for a daily bar of a
 * US listing. Other daily bars, weeks and months end at midnight after the
 * day or period in `zone`.
 */
export function barClose(
  bar: SeriesBar,
  interval: Interval,
  instrument: Instrument,
  zone: string,
  calendar: UsEquityCalendar,
): number {
  if (bar.date === undefined) return bar.time + INTERVAL_MS[interval];
  if (interval !== '1d') return barEnd(bar.time, interval, zone);
  const session = isUsListed(instrument) ? calendar.tradingDay(bar.date) : null;

  return (
    session?.close ??
    DateTime.fromISO(bar.date, { zone }).plus({ days: 1 }).toMillis()
  );
}
