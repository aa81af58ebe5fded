import { DateTime } from 'luxon';
import { UsEquityCalendar } from '../../market/exchange-calendar.js';
import { isUsListed, timeZoneOf } from '../../market/exchange-zones.js';
import type { Session } from '../../market/quote.js';
import type { Instrument } from '../../market/symbol.js';
import { LRUCache } from 'lru-cache';
import { memoize } from './cache-memo.js';

/** The regular session of one trading day in epoch ms, with `close` exclusive. */
export interface TradingSession {
  date: string;
  open: number;
  close: number;
}

/** When one kind of instrument trades, and how its trading days are dated. */
export interface TradingHours {
  /** Zone in which trading dates are counted, as `timeZoneOf` returns it. */
  readonly timeZone: string;
  /** Length of a regular session that does not close early. */
  readonly fullSessionMinutes: number;
  isTradingDay(date: string): boolean;
  /** Returns the regular session of a date, or null when none is held. */
  session(date: string): TradingSession | null;
  /** Returns the trading date an instant counts toward, traded or not. */
  dateAt(ms: number): string;
  /** Returns the session a quote at this instant reports. */
  sessionAt(ms: number): Session;
}

const DAY_MS = 86_400_000;
/**
 * Maximum sessions cached per schedule, about 55 years of dates. Each one
 * takes several Luxon zone conversions to compute.
 */
const SESSION_CACHE_ENTRIES = 20_000;
const FOREX_ROLLOVER_HOUR = 17;
const LOCAL_OPEN_MINUTE = 9 * 60;
const LOCAL_CLOSE_MINUTE = 16 * 60;

/** Adds whole days to an ISO date. */
export function addDays(date: string, days: number): string {
  return isoDate(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS);
}

/** Returns the UTC ISO date of an instant. */
export function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function isWeekday(date: string): boolean {
  const day = new Date(`${date}T00:00:00Z`).getUTCDay();

  return day !== 0 && day !== 6;
}

function localTime(date: string, minute: number, zone: string): number {
  return DateTime.fromISO(date, { zone })
    .set({ hour: Math.floor(minute / 60), minute: minute % 60 })
    .toMillis();
}

/** NYSE and Nasdaq regular sessions, with pre-market and after-hours for quotes. */
export class UsEquityHours implements TradingHours {
  readonly timeZone: string;
  readonly fullSessionMinutes = 390;
  /** Sessions by date; closed days are cached as `{ session: null }`. */
  private readonly sessions = new LRUCache<
    string,
    { session: TradingSession | null }
  >({
    max: SESSION_CACHE_ENTRIES,
  });

  constructor(private readonly calendar = new UsEquityCalendar()) {
    this.timeZone = calendar.timeZone;
  }

  isTradingDay(date: string): boolean {
    return isWeekday(date) && this.calendar.isTradingDay(date);
  }

  session(date: string): TradingSession | null {
    if (!isWeekday(date)) return null;

    return memoize(this.sessions, date, () => {
      const day = this.calendar.tradingDay(date);

      return {
        session: day ? { date, open: day.open, close: day.close } : null,
      };
    }).session;
  }

  dateAt(ms: number): string {
    return this.calendar.localDate(ms);
  }

  sessionAt(ms: number): Session {
    return this.calendar.sessionAt(ms);
  }
}

/** Crypto trades around the clock, with days counted in UTC. */
export class CryptoHours implements TradingHours {
  readonly timeZone = 'UTC';
  readonly fullSessionMinutes = 1440;

  isTradingDay(): boolean {
    return true;
  }

  session(date: string): TradingSession {
    const open = Date.parse(`${date}T00:00:00Z`);

    return { date, open, close: open + DAY_MS };
  }

  dateAt(ms: number): string {
    return isoDate(ms);
  }

  sessionAt(): Session {
    return 'regular';
  }
}

/**
 * Spot forex trades from Sunday 17:00 to Friday 17:00 New York time. Each
 * trading day runs from 17:00 on the previous day and carries the date on
 * which it ends, so Monday's session opens on Sunday evening.
 */
export class ForexHours implements TradingHours {
  readonly timeZone = 'America/New_York';
  readonly fullSessionMinutes = 1440;
  private readonly sessions = new LRUCache<string, TradingSession>({
    max: SESSION_CACHE_ENTRIES,
  });

  isTradingDay(date: string): boolean {
    return isWeekday(date);
  }

  session(date: string): TradingSession | null {
    if (!isWeekday(date)) return null;
    const rollover = FOREX_ROLLOVER_HOUR * 60;

    return memoize(this.sessions, date, () => ({
      date,
      open: localTime(addDays(date, -1), rollover, this.timeZone),
      close: localTime(date, rollover, this.timeZone),
    }));
  }

  dateAt(ms: number): string {
    const local = DateTime.fromMillis(ms, { zone: this.timeZone });
    const date = local.toISODate() ?? '';

    return local.hour >= FOREX_ROLLOVER_HOUR ? addDays(date, 1) : date;
  }

  sessionAt(ms: number): Session {
    const session = this.session(this.dateAt(ms));
    const open = session !== null && ms >= session.open && ms < session.close;

    return open ? 'regular' : 'closed';
  }
}

/**
 * Equities listed outside the US: 09:00 to 16:00 local time on weekdays.
 * TODO: add local holidays and exact hours per exchange.
 */
export class LocalWeekdayHours implements TradingHours {
  readonly fullSessionMinutes = LOCAL_CLOSE_MINUTE - LOCAL_OPEN_MINUTE;
  private readonly sessions = new LRUCache<string, TradingSession>({
    max: SESSION_CACHE_ENTRIES,
  });

  constructor(readonly timeZone: string) {}

  isTradingDay(date: string): boolean {
    return isWeekday(date);
  }

  session(date: string): TradingSession | null {
    if (!isWeekday(date)) return null;

    return memoize(this.sessions, date, () => ({
      date,
      open: localTime(date, LOCAL_OPEN_MINUTE, this.timeZone),
      close: localTime(date, LOCAL_CLOSE_MINUTE, this.timeZone),
    }));
  }

  dateAt(ms: number): string {
    return DateTime.fromMillis(ms, { zone: this.timeZone }).toISODate() ?? '';
  }

  sessionAt(ms: number): Session {
    const session = this.session(this.dateAt(ms));
    const open = session !== null && ms >= session.open && ms < session.close;

    return open ? 'regular' : 'closed';
  }
}

const US_EQUITY_HOURS = new UsEquityHours();
const CRYPTO_HOURS = new CryptoHours();
const FOREX_HOURS = new ForexHours();
const LOCAL_HOURS = new Map<string, LocalWeekdayHours>();

/**
 * Returns the trading hours of an instrument's asset class and listing. One
 * instance serves every instrument of a kind, so that indexes built over it
 * are shared.
 */
export function tradingHoursOf(instrument: Instrument): TradingHours {
  switch (instrument.assetClass) {
    case 'crypto':
      return CRYPTO_HOURS;
    case 'forex':
      return FOREX_HOURS;
    case 'equity':
    case 'index': {
      if (isUsListed(instrument)) return US_EQUITY_HOURS;
      const zone = timeZoneOf(instrument);
      let hours = LOCAL_HOURS.get(zone);
      if (!hours) {
        hours = new LocalWeekdayHours(zone);
        LOCAL_HOURS.set(zone, hours);
      }

      return hours;
    }
  }
}
