import { DateTime } from 'luxon';

/**
 * Full-day closures and early closes of the New York Stock Exchange and
 * Nasdaq, which keep one calendar. The rules follow NYSE Rule 7.2: a holiday
 * on Saturday moves to Friday and one on Sunday to Monday, except that New
 * Year's Day on a Saturday is not made up. Juneteenth is a holiday from 2022.
 */
export interface DayRule {
  name: string;
  /** Early close at 13:00 local time instead of a full closure. */
  earlyClose: boolean;
}

/** Closures for events, not rules: national days of mourning and storms. */
const SPECIAL_CLOSURES: Readonly<Record<string, string>> = {
  '2001-09-11': 'September 11 attacks',
  '2001-09-12': 'September 11 attacks',
  '2001-09-13': 'September 11 attacks',
  '2001-09-14': 'September 11 attacks',
  '2004-06-11': 'Day of mourning for Ronald Reagan',
  '2007-01-02': 'Day of mourning for Gerald Ford',
  '2012-10-29': 'Hurricane Sandy',
  '2012-10-30': 'Hurricane Sandy',
  '2018-12-05': 'Day of mourning for George H. W. Bush',
  '2025-01-09': 'Day of mourning for Jimmy Carter',
};

const cache = new Map<number, ReadonlyMap<string, DayRule>>();

/** Returns the closures and early closes of one year, keyed by ISO date. */
export function usMarketDays(year: number): ReadonlyMap<string, DayRule> {
  let days = cache.get(year);
  if (!days) {
    days = buildYear(year);
    cache.set(year, days);
  }

  return days;
}

function buildYear(year: number): Map<string, DayRule> {
  const days = new Map<string, DayRule>();
  const close = (date: DateTime | null, name: string) => {
    if (date) days.set(iso(date), { name, earlyClose: false });
  };
  const early = (date: DateTime, name: string) => {
    const weekday = date.weekday <= 5;
    if (weekday && !days.has(iso(date))) {
      days.set(iso(date), { name, earlyClose: true });
    }
  };

  const newYear = ymd(year, 1, 1);
  close(newYear.weekday === 6 ? null : observed(newYear), "New Year's Day");
  close(nthWeekday(year, 1, 1, 3), 'Martin Luther King Jr. Day');
  close(nthWeekday(year, 2, 1, 3), "Washington's Birthday");
  close(easterSunday(year).minus({ days: 2 }), 'Good Friday');
  close(lastWeekday(year, 5, 1), 'Memorial Day');
  if (year >= 2022) close(observed(ymd(year, 6, 19)), 'Juneteenth');
  close(observed(ymd(year, 7, 4)), 'Independence Day');
  close(nthWeekday(year, 9, 1, 1), 'Labor Day');
  const thanksgiving = nthWeekday(year, 11, 4, 4);
  close(thanksgiving, 'Thanksgiving Day');
  close(observed(ymd(year, 12, 25)), 'Christmas Day');
  for (const [date, name] of Object.entries(SPECIAL_CLOSURES)) {
    if (date.startsWith(`${year}-`))
      days.set(date, { name, earlyClose: false });
  }

  early(ymd(year, 7, 3), 'Independence Day eve');
  early(thanksgiving.plus({ days: 1 }), 'Day after Thanksgiving');
  early(ymd(year, 12, 24), 'Christmas Eve');

  return days;
}

function ymd(year: number, month: number, day: number): DateTime {
  return DateTime.utc(year, month, day);
}

function iso(date: DateTime): string {
  return date.toISODate() ?? '';
}

function observed(date: DateTime): DateTime {
  if (date.weekday === 6) return date.minus({ days: 1 });
  if (date.weekday === 7) return date.plus({ days: 1 });

  return date;
}

/** The `n`th given weekday (1 = Monday) of a month. */
function nthWeekday(
  year: number,
  month: number,
  weekday: number,
  n: number,
): DateTime {
  const first = ymd(year, month, 1);
  const offset = (weekday - first.weekday + 7) % 7;

  return first.plus({ days: offset + 7 * (n - 1) });
}

function lastWeekday(year: number, month: number, weekday: number): DateTime {
  const last = ymd(year, month, 1).endOf('month').startOf('day');
  const offset = (last.weekday - weekday + 7) % 7;

  return last.minus({ days: offset });
}

/** Gregorian Easter Sunday by the anonymous (Meeus/Jones/Butcher) algorithm. */
function easterSunday(year: number): DateTime {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;

  return ymd(year, month, day);
}
