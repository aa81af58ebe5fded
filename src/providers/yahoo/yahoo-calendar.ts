import { DateTime, IANAZone } from 'luxon';
import type { Bar } from '../../market/bar.js';
import { UsEquityCalendar } from '../../market/exchange-calendar.js';
import {
  isUsListed,
  timeZoneOf,
  tradingDateAt,
  US_EQUITY_ZONE,
} from '../../market/exchange-zones.js';
import {
  INTERVAL_MS,
  isDaily,
  periodStart,
  type Interval,
} from '../../market/interval.js';
import type { Instrument } from '../../market/symbol.js';

/** Forex trading days end at 17:00 New York time. */
const FOREX_DAY_END_HOUR = 17;

const usCalendar = new UsEquityCalendar();

/** Dating rules of one chart's bars and the end of each bar. */
export interface ChartCalendar {
  /** Time zone in which daily bars are dated. */
  zone: string;
  /** Returns the trading date an instant belongs to. */
  dateOf(ms: number): string;
  /** Returns the instant at which a bar stops changing. */
  endOf(bar: Bar, interval: Interval): number;
}

/**
 * Returns the calendar of an instrument's chart. Equities and indices are
 * dated in the exchange's zone as Yahoo names it (`exchangeTimezoneName`),
 * because that also covers suffixes `timeZoneOf` does not list. Crypto and
 * forex follow the API's own rules (UTC days, forex days ending at 17:00
 * New York), so every source dates them alike.
 */
export function chartCalendar(
  instrument: Instrument,
  exchangeZone: string | null | undefined,
): ChartCalendar {
  const listed =
    instrument.assetClass === 'equity' || instrument.assetClass === 'index';
  const zone =
    listed && exchangeZone && IANAZone.isValidZone(exchangeZone)
      ? exchangeZone
      : timeZoneOf(instrument);
  const dateOf = listed
    ? (ms: number) => DateTime.fromMillis(ms, { zone }).toISODate() ?? ''
    : (ms: number) => tradingDateAt(instrument, ms);

  return {
    zone,
    dateOf,
    endOf: (bar, interval) => barEnd(bar, interval, instrument, zone),
  };
}

/**
 * Returns the end of a bar. An intraday bar ends one width after its start
 * and a week or month bar with its period. A day ends at the session close
 * for a US listing, at 17:00 New York for forex and at local midnight
 * otherwise.
 */
function barEnd(
  bar: Bar,
  interval: Interval,
  instrument: Instrument,
  zone: string,
): number {
  if (!isDaily(interval) || !bar.date) return bar.time + INTERVAL_MS[interval];
  if (interval === '1wk' || interval === '1mo') {
    const unit = interval === '1wk' ? 'week' : 'month';

    return DateTime.fromISO(bar.date, { zone })
      .startOf(unit)
      .plus({ [`${unit}s`]: 1 })
      .toMillis();
  }
  if (zone === US_EQUITY_ZONE && isUsListed(instrument)) {
    const session = usCalendar.tradingDay(bar.date);
    if (session) return session.close;
  }
  if (instrument.assetClass === 'forex') {
    return DateTime.fromISO(bar.date, { zone: US_EQUITY_ZONE })
      .set({ hour: FOREX_DAY_END_HOUR })
      .toMillis();
  }

  return DateTime.fromISO(bar.date, { zone }).plus({ days: 1 }).toMillis();
}

/**
 * Returns the date a bar of `interval` is labelled with: its trading date,
 * or the Monday or first of the month its week or month starts on.
 */
export function barDate(date: string, interval: Interval): string {
  if (interval !== '1wk' && interval !== '1mo') return date;

  return new Date(periodStart(Date.parse(`${date}T00:00:00Z`), interval))
    .toISOString()
    .slice(0, 10);
}
