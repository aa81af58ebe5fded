import { DateTime } from 'luxon';
import type { Session } from './quote.js';
import { usMarketDays } from './us-holidays.js';

/** Times of one trading day, in epoch milliseconds. */
export interface TradingDay {
  date: string;
  preMarketOpen: number;
  open: number;
  close: number;
  afterHoursClose: number;
  earlyClose: boolean;
}

const PRE_MARKET_OPEN = 4 * 60;
const REGULAR_OPEN = 9 * 60 + 30;
const REGULAR_CLOSE = 16 * 60;
const EARLY_CLOSE = 13 * 60;
const AFTER_HOURS = 4 * 60;
/** Upper bound on the search for the next session; no closure lasts this long. */
const MAX_SEARCH_DAYS = 30;

/**
 * The US equity calendar of NYSE and Nasdaq in America/New_York: pre-market
 * 04:00 to 09:30, regular session 09:30 to 16:00 (13:00 on early-close days),
 * after-hours for four hours after the close.
 */
export class UsEquityCalendar {
  readonly timeZone = 'America/New_York';

  /** Returns the exchange-local ISO date of an instant. */
  localDate(ms: number): string {
    return DateTime.fromMillis(ms, { zone: this.timeZone }).toISODate() ?? '';
  }

  /** Returns the name of the closure or early close on a date, if any. */
  holiday(date: string): { name: string; earlyClose: boolean } | null {
    const year = Number(date.slice(0, 4));

    return usMarketDays(year).get(date) ?? null;
  }

  isTradingDay(date: string): boolean {
    const weekday = DateTime.fromISO(date, { zone: 'utc' }).weekday;
    if (weekday > 5) return false;

    return this.holiday(date)?.earlyClose !== false;
  }

  /** Returns the session times of a date, or null when the exchange is closed all day. */
  tradingDay(date: string): TradingDay | null {
    if (!this.isTradingDay(date)) return null;
    const midnight = DateTime.fromISO(date, { zone: this.timeZone }).startOf(
      'day',
    );
    const at = (minutes: number) =>
      midnight
        .set({ hour: Math.floor(minutes / 60), minute: minutes % 60 })
        .toMillis();
    const earlyClose = this.holiday(date)?.earlyClose === true;
    const close = earlyClose ? EARLY_CLOSE : REGULAR_CLOSE;

    return {
      date,
      preMarketOpen: at(PRE_MARKET_OPEN),
      open: at(REGULAR_OPEN),
      close: at(close),
      afterHoursClose: at(close + AFTER_HOURS),
      earlyClose,
    };
  }

  sessionAt(ms: number): Session {
    const day = this.tradingDay(this.localDate(ms));
    if (!day || ms < day.preMarketOpen || ms >= day.afterHoursClose)
      return 'closed';
    if (ms < day.open) return 'pre-market';
    if (ms < day.close) return 'regular';

    return 'after-hours';
  }

  /** Returns the first trading day after `date`. */
  nextTradingDay(date: string): TradingDay {
    return this.step(date, 1);
  }

  /** Returns the last trading day before `date`. */
  previousTradingDay(date: string): TradingDay {
    return this.step(date, -1);
  }

  /** Returns the start of the next regular session that opens after `ms`. */
  nextOpen(ms: number): number {
    const today = this.tradingDay(this.localDate(ms));
    if (today && ms < today.open) return today.open;

    return this.nextTradingDay(this.localDate(ms)).open;
  }

  /** Returns the end of the current regular session, or else of the next one. */
  nextClose(ms: number): number {
    const today = this.tradingDay(this.localDate(ms));
    if (today && ms < today.close) return today.close;

    return this.nextTradingDay(this.localDate(ms)).close;
  }

  private step(date: string, direction: 1 | -1): TradingDay {
    let cursor = DateTime.fromISO(date, { zone: 'utc' });
    for (let i = 0; i < MAX_SEARCH_DAYS; i += 1) {
      cursor = cursor.plus({ days: direction });
      const day = this.tradingDay(cursor.toISODate() ?? '');
      if (day) return day;
    }

    throw new Error(`No trading day within ${MAX_SEARCH_DAYS} days of ${date}`);
  }
}
