import { DateTime } from 'luxon';

export const INTERVALS = [
  '1m',
  '5m',
  '15m',
  '30m',
  '1h',
  '1d',
  '1wk',
  '1mo',
] as const;

/** Bar width, as accepted by the `interval` query parameter. */
export type Interval = (typeof INTERVALS)[number];

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** Nominal width in milliseconds; months count as 30 days for ordering only. */
export const INTERVAL_MS: Readonly<Record<Interval, number>> = {
  '1m': MINUTE_MS,
  '5m': 5 * MINUTE_MS,
  '15m': 15 * MINUTE_MS,
  '30m': 30 * MINUTE_MS,
  '1h': 60 * MINUTE_MS,
  '1d': DAY_MS,
  '1wk': 7 * DAY_MS,
  '1mo': 30 * DAY_MS,
};

export function isInterval(value: string): value is Interval {
  return (INTERVALS as readonly string[]).includes(value);
}

/** Daily and longer bars are dated by trading day rather than by instant. */
export function isDaily(interval: Interval): boolean {
  return INTERVAL_MS[interval] >= DAY_MS;
}

/**
 * Tells whether bars of `coarse` can be built by merging bars of `fine`:
 * every coarse bucket boundary must also be a fine bucket boundary.
 */
export function canAggregate(fine: Interval, coarse: Interval): boolean {
  if (fine === coarse) return true;
  if (INTERVAL_MS[fine] > INTERVAL_MS[coarse]) return false;
  if (fine === '1wk') return false;
  if (isDaily(coarse)) return true;

  return INTERVAL_MS[coarse] % INTERVAL_MS[fine] === 0;
}

/**
 * Returns the instant at which a bar starting at `time` ends. Weeks and
 * months end with the calendar period that contains the bar's date, so a
 * bar labelled with the period's last day ends where one labelled with its
 * first day does. Dated bars start at midnight UTC of their date; `zone`
 * names the time zone whose midnight ends a week or month.
 */
export function barEnd(time: number, interval: Interval, zone = 'utc'): number {
  if (interval !== '1wk' && interval !== '1mo')
    return time + INTERVAL_MS[interval];
  const unit = interval === '1wk' ? 'week' : 'month';

  return DateTime.fromMillis(time, { zone: 'utc' })
    .setZone(zone, { keepLocalTime: true })
    .startOf(unit)
    .plus({ [`${unit}s`]: 1 })
    .toMillis();
}

/** Returns the start of the week or month containing `time`; other intervals keep `time`. */
export function periodStart(time: number, interval: Interval): number {
  if (interval !== '1wk' && interval !== '1mo') return time;

  return DateTime.fromMillis(time, { zone: 'utc' })
    .startOf(interval === '1wk' ? 'week' : 'month')
    .toMillis();
}
