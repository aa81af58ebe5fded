import { Injectable } from '@nestjs/common';
import { DateTime } from 'luxon';
import { Clock } from '../common/clock.js';
import { UsEquityCalendar } from './exchange-calendar.js';
import { forexWeek } from './market-session.js';
import type { Session } from './quote.js';

export interface MarketState {
  exchange: string;
  mic: string | null;
  timeZone: string;
  isOpen: boolean;
  session: Session;
  localTime: string;
  holiday: string | null;
  earlyClose: boolean;
  nextOpen: string | null;
  nextClose: string | null;
}

export interface MarketStatus {
  asOf: string;
  markets: MarketState[];
}

const FOREX_ZONE = 'America/New_York';

/** Computes open or closed per market from local calendars; no source is asked. */
@Injectable()
export class MarketStatusService {
  private readonly calendar = new UsEquityCalendar();

  constructor(private readonly clock: Clock) {}

  status(): MarketStatus {
    const now = this.clock.now();

    return {
      asOf: new Date(now).toISOString(),
      markets: [
        this.usEquity('NYSE', 'XNYS', now),
        this.usEquity('Nasdaq', 'XNAS', now),
        this.forex(now),
        this.crypto(now),
      ],
    };
  }

  private usEquity(exchange: string, mic: string, now: number): MarketState {
    const calendar = this.calendar;
    const session = calendar.sessionAt(now);
    const holiday = calendar.holiday(calendar.localDate(now));

    return {
      exchange,
      mic,
      timeZone: calendar.timeZone,
      isOpen: session === 'regular',
      session,
      localTime: localTime(now, calendar.timeZone),
      holiday: holiday?.name ?? null,
      earlyClose: holiday?.earlyClose ?? false,
      nextOpen: iso(calendar.nextOpen(now)),
      nextClose: iso(calendar.nextClose(now)),
    };
  }

  private forex(now: number): MarketState {
    const week = forexWeek(now);

    return {
      exchange: 'Forex',
      mic: null,
      timeZone: FOREX_ZONE,
      isOpen: week.isOpen,
      session: week.isOpen ? 'regular' : 'closed',
      localTime: localTime(now, FOREX_ZONE),
      holiday: null,
      earlyClose: false,
      nextOpen: iso(week.nextOpen),
      nextClose: iso(week.nextClose),
    };
  }

  private crypto(now: number): MarketState {
    return {
      exchange: 'Crypto',
      mic: null,
      timeZone: 'UTC',
      isOpen: true,
      session: 'regular',
      localTime: localTime(now, 'UTC'),
      holiday: null,
      earlyClose: false,
      nextOpen: null,
      nextClose: null,
    };
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function localTime(ms: number, zone: string): string {
  return DateTime.fromMillis(ms, { zone }).toISO() ?? '';
}
