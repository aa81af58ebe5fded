import { DateTime } from 'luxon';

/** A row's time as read from a file. */
export interface Stamp {
  /** Calendar date as written, or in the instrument's zone for epoch values. */
  date: string;
  /** The instant in epoch milliseconds. */
  ms: number;
  /** True when the text carries no time of day, or 00:00:00. */
  midnight: boolean;
  /** Present when the cell gives a time of day or an epoch instant. */
  hasTime?: true;
}

interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

const YEAR_FIRST = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ](.+))?$/;
const US_ORDER = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:[T ](.+))?$/;
const DAY_FIRST = /^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[T ](.+))?$/;
const TIME_OF_DAY =
  /^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$/i;
const EPOCH = /^\d{9,17}(?:\.\d+)?$/;
/** Epoch values below this are seconds; up to EPOCH_MICROS, milliseconds. */
const EPOCH_MILLIS = 1e11;
const EPOCH_MICROS = 1e14;

/**
 * Parses a date or timestamp cell. Accepts ISO dates and timestamps (with a
 * `T` or a space, with or without a UTC offset), `YYYY/MM/DD`, US
 * `MM/DD/YYYY`, European `DD.MM.YYYY` and epoch seconds, milliseconds or
 * microseconds, distinguished by magnitude. Text without an offset is read in
 * `zone`. Returns null for anything else, such as a bare time of day.
 */
export function parseTimestamp(cell: string, zone: string): Stamp | null {
  const text = cell.trim();
  if (EPOCH.test(text)) return fromEpoch(Number(text), zone);

  const parts = splitDateText(text);
  if (!parts) return null;
  const [year, month, day, timeText] = parts;
  const date = isoDate(year, month, day);
  if (!date) return null;
  if (timeText === undefined) {
    return { date, ms: Date.UTC(year, month - 1, day), midnight: true };
  }

  const time = TIME_OF_DAY.exec(timeText.trim());
  if (!time) return null;
  const wall: WallTime = {
    year,
    month,
    day,
    hour: Number(time[1]),
    minute: Number(time[2]),
    second: Number(time[3] ?? 0),
    millisecond: Number((time[4] ?? '0').padEnd(3, '0').slice(0, 3)),
  };
  if (wall.hour > 23 || wall.minute > 59 || wall.second > 59) return null;
  const ms = instantOf(wall, time[5], zone);
  const midnight =
    wall.hour === 0 &&
    wall.minute === 0 &&
    wall.second === 0 &&
    wall.millisecond === 0;

  return { date, ms, midnight, hasTime: true };
}

function splitDateText(
  text: string,
): [number, number, number, string | undefined] | null {
  const yearFirst = YEAR_FIRST.exec(text);
  if (yearFirst) {
    const [, year, month, day, time] = yearFirst;
    return [Number(year), Number(month), Number(day), time];
  }
  const usOrder = US_ORDER.exec(text);
  if (usOrder) {
    const [, month, day, year, time] = usOrder;
    return [Number(year), Number(month), Number(day), time];
  }
  const dayFirst = DAY_FIRST.exec(text);
  if (dayFirst) {
    const [, day, month, year, time] = dayFirst;
    return [Number(year), Number(month), Number(day), time];
  }

  return null;
}

/** Returns the ISO date, or null when the day does not exist. */
function isoDate(year: number, month: number, day: number): string | null {
  const value = new Date(Date.UTC(year, month - 1, day));
  if (value.getUTCMonth() !== month - 1 || value.getUTCDate() !== day) {
    return null;
  }

  return value.toISOString().slice(0, 10);
}

function instantOf(
  wall: WallTime,
  offset: string | undefined,
  zone: string,
): number {
  if (offset === undefined) {
    return DateTime.fromObject(wall, { zone }).toMillis();
  }
  const utc = Date.UTC(
    wall.year,
    wall.month - 1,
    wall.day,
    wall.hour,
    wall.minute,
    wall.second,
    wall.millisecond,
  );

  return utc - offsetMinutes(offset) * 60_000;
}

function offsetMinutes(offset: string): number {
  const match = /^([+-])(\d{2}):?(\d{2})?$/.exec(offset);
  if (!match) return 0;
  const sign = match[1] === '-' ? -1 : 1;

  return sign * (Number(match[2]) * 60 + Number(match[3] ?? 0));
}

/**
 * Reads an epoch value. The date is that of UTC when the instant is midnight
 * UTC (exchange daily klines), else that of `zone`.
 */
function fromEpoch(value: number, zone: string): Stamp {
  const ms =
    value < EPOCH_MILLIS
      ? value * 1000
      : value < EPOCH_MICROS
        ? value
        : value / 1000;
  const rounded = Math.round(ms);
  const utc = DateTime.fromMillis(rounded, { zone: 'utc' });
  if (utc.equals(utc.startOf('day'))) {
    return {
      date: utc.toISODate() ?? '',
      ms: rounded,
      midnight: true,
      hasTime: true,
    };
  }
  const local = utc.setZone(zone);

  return {
    date: local.toISODate() ?? '',
    ms: rounded,
    midnight: local.equals(local.startOf('day')),
    hasTime: true,
  };
}
