import { DateTime } from 'luxon';
import type { UsEquityCalendar } from './exchange-calendar.js';
import { isUsListed, US_EQUITY_ZONE } from './exchange-zones.js';
import type { Session } from './quote.js';
import type { Instrument } from './symbol.js';

/** Forex trades from Sunday 17:00 to Friday 17:00 New York time. */
const FOREX_ROLLOVER_HOUR = 17;
const FOREX_WEEK_DAYS = 5;

/** The forex trading week around an instant, in epoch ms. */
export interface ForexWeek {
  isOpen: boolean;
  nextOpen: number;
  nextClose: number;
}

/** Returns whether forex trades at `ms`, and when it next opens and closes. */
export function forexWeek(ms: number): ForexWeek {
  const local = DateTime.fromMillis(ms, { zone: US_EQUITY_ZONE });
  // The latest Sunday 17:00 at or before `ms`; Luxon numbers Sunday 7.
  let opened = local
    .set({ hour: FOREX_ROLLOVER_HOUR, minute: 0, second: 0, millisecond: 0 })
    .minus({ days: local.weekday % 7 });
  if (opened > local) opened = opened.minus({ weeks: 1 });
  const closes = opened.plus({ days: FOREX_WEEK_DAYS });
  const isOpen = local < closes;

  return {
    isOpen,
    nextOpen: opened.plus({ weeks: 1 }).toMillis(),
    nextClose: (isOpen ? closes : closes.plus({ weeks: 1 })).toMillis(),
  };
}

/**
 * Returns the session the instrument's market is in at `ms`, computed from
 * local calendars: the US equity calendar for US listings, around the clock
 * for crypto, and the weekly forex hours for currency pairs.
 */
export function sessionAt(
  instrument: Instrument,
  ms: number,
  calendar: UsEquityCalendar,
): Session {
  switch (instrument.assetClass) {
    case 'crypto':
      return 'regular';
    case 'forex':
      return forexWeek(ms).isOpen ? 'regular' : 'closed';
    case 'equity':
    case 'index':
      // TODO: calendars of non-US exchanges; their sessions are reported as closed.
      return isUsListed(instrument) ? calendar.sessionAt(ms) : 'closed';
  }
}
