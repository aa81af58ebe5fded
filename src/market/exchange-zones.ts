import { DateTime } from 'luxon';
import type { Instrument } from './symbol.js';

/**
 * Time zones of exchanges, keyed by the ticker suffix Yahoo Finance uses
 * (`4063.T` trades in Tokyo). Symbols without a suffix are US listings.
 */
const SUFFIX_ZONES: Readonly<Record<string, string>> = {
  T: 'Asia/Tokyo',
  L: 'Europe/London',
  DE: 'Europe/Berlin',
  F: 'Europe/Berlin',
  PA: 'Europe/Paris',
  AS: 'Europe/Amsterdam',
  MI: 'Europe/Rome',
  SW: 'Europe/Zurich',
  TO: 'America/Toronto',
  V: 'America/Toronto',
  AX: 'Australia/Sydney',
  HK: 'Asia/Hong_Kong',
  SS: 'Asia/Shanghai',
  SZ: 'Asia/Shanghai',
  KS: 'Asia/Seoul',
  NS: 'Asia/Kolkata',
  BO: 'Asia/Kolkata',
};

export const US_EQUITY_ZONE = 'America/New_York';

/** Returns the time zone in which the instrument's daily bars are dated. */
export function timeZoneOf(instrument: Instrument): string {
  switch (instrument.assetClass) {
    case 'crypto':
      return 'UTC';
    case 'forex':
      // Forex trading days roll over at 17:00 New York time.
      return US_EQUITY_ZONE;
    case 'index':
    case 'equity': {
      const dot = instrument.symbol.lastIndexOf('.');
      const suffix = dot > 0 ? instrument.symbol.slice(dot + 1) : '';

      return SUFFIX_ZONES[suffix] ?? US_EQUITY_ZONE;
    }
  }
}

/** Tells whether the instrument trades on the US equity calendar. */
export function isUsListed(instrument: Instrument): boolean {
  return (
    (instrument.assetClass === 'equity' || instrument.assetClass === 'index') &&
    timeZoneOf(instrument) === US_EQUITY_ZONE
  );
}

/** Forex trading days end at 17:00 New York time, seven hours before midnight. */
const FOREX_ROLLOVER_SHIFT_MS = 7 * 3_600_000;

/**
 * Returns the trading date an instant belongs to: its local date in the
 * instrument's time zone, except that a forex day after the 17:00 New York
 * rollover already counts as the next day.
 */
export function tradingDateAt(instrument: Instrument, ms: number): string {
  const shifted =
    instrument.assetClass === 'forex' ? ms + FOREX_ROLLOVER_SHIFT_MS : ms;

  return (
    DateTime.fromMillis(shifted, {
      zone: timeZoneOf(instrument),
    }).toISODate() ?? ''
  );
}
