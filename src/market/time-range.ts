import { DateTime } from 'luxon';
import { timeZoneOf, tradingDateAt } from './exchange-zones.js';
import { isDaily, type Interval } from './interval.js';
import type { Instrument } from './symbol.js';

/** A `from` or `to` query value: a trading date or an instant in epoch ms. */
export type TimeBound =
  { kind: 'date'; date: string } | { kind: 'instant'; ms: number };

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIMESTAMP =
  /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Parses a date (`2024-03-15`) or an ISO 8601 timestamp; a timestamp without
 * an offset is read as UTC. Returns null when the text is neither.
 */
export function parseTimeBound(text: string): TimeBound | null {
  const value = text.trim();
  if (DATE.test(value)) {
    const date = DateTime.fromISO(value, { zone: 'utc' });
    return date.isValid ? { kind: 'date', date: value } : null;
  }
  if (!TIMESTAMP.test(value) || !validOffset(value)) return null;
  const instant = DateTime.fromISO(value.replace(' ', 'T'), {
    zone: 'utc',
    setZone: true,
  });

  return instant.isValid ? { kind: 'instant', ms: instant.toMillis() } : null;
}

/**
 * Resolves a bound to the inclusive epoch-ms limit that sources compare with
 * `Bar.time`. Daily bars are keyed by midnight UTC of their trading date, so
 * an instant is first turned into the trading date it belongs to. Intraday
 * `to` dates include the whole day in the exchange's time zone.
 */
export function resolveBound(
  bound: TimeBound,
  side: 'from' | 'to',
  interval: Interval,
  instrument: Instrument,
): number {
  if (isDaily(interval)) {
    const date =
      bound.kind === 'date' ? bound.date : tradingDateAt(instrument, bound.ms);
    return Date.parse(`${date}T00:00:00Z`);
  }
  if (bound.kind === 'instant') return bound.ms;
  const day = DateTime.fromISO(bound.date, { zone: timeZoneOf(instrument) });

  return side === 'from'
    ? day.startOf('day').toMillis()
    : day.endOf('day').toMillis();
}

/** UTC offsets run from -12:00 to +14:00; a larger one is a typo. */
function validOffset(value: string): boolean {
  const offset = /([+-])(\d{2}):?(\d{2})$/.exec(value.slice(10));
  if (!offset) return true;

  return Number(offset[2]) <= 14 && Number(offset[3]) < 60;
}
