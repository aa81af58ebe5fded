import { DateTime } from 'luxon';
import type { Bar } from '../../market/bar.js';
import { timeZoneOf, tradingDateAt } from '../../market/exchange-zones.js';
import { INTERVAL_MS, isDaily, type Interval } from '../../market/interval.js';
import type { Instrument } from '../../market/symbol.js';
import type { HistoryQuery } from '../market-data-source.js';
import { finiteNumber, type AlpacaBar } from './alpaca-schemas.js';
import { parseInstant } from './alpaca-time.js';

type BadRowReason =
  'invalid time' | 'invalid price' | 'high below low' | 'duplicate';

/** Counts of dropped rows by reason. */
export type DropCounts = Record<BadRowReason | 'outside the window', number>;

/** Bars read from Alpaca rows, and the rows that were dropped. */
export interface NormalizedBars {
  bars: Bar[];
  dropped: DropCounts;
}

/**
 * Turns Alpaca bar rows into bars. Daily and longer bars are dated by the
 * trading date of `t` in the instrument's zone (New York for stocks, UTC
 * for crypto). Weeks are dated by their Monday and months by their first
 * day. Rows are dropped and counted when their time is unreadable, outside
 * the query's window or already seen, when a price is missing or not a
 * number, or when the high is below the low. Bars come out ascending,
 * whatever order the pages came in, and a bar is complete once its period
 * has ended.
 */
export function normalizeBars(
  rows: readonly AlpacaBar[],
  query: HistoryQuery,
  now: number,
): NormalizedBars {
  const dropped: DropCounts = {
    'invalid time': 0,
    'invalid price': 0,
    'high below low': 0,
    duplicate: 0,
    'outside the window': 0,
  };
  const seen = new Set<number>();
  const bars: Bar[] = [];
  for (const row of rows) {
    const bar = readRow(row, query.instrument, query.interval, now);
    if (typeof bar === 'string') {
      dropped[bar] += 1;
      continue;
    }
    if (
      (query.start !== null && bar.time < query.start) ||
      bar.time > query.end
    ) {
      dropped['outside the window'] += 1;
      continue;
    }
    if (seen.has(bar.time)) {
      dropped.duplicate += 1;
      continue;
    }
    seen.add(bar.time);
    bars.push(bar);
  }
  bars.sort((left, right) => left.time - right.time);

  return { bars, dropped };
}

/** Sums drop counts for a log line: bad rows, rows outside the window, and a text such as `2 duplicate, 1 invalid price`. */
export function describeDrops(dropped: DropCounts): {
  bad: number;
  outside: number;
  text: string;
} {
  const parts = Object.entries(dropped).filter(([, count]) => count > 0);
  const outside = dropped['outside the window'];
  const total = parts.reduce((sum, [, count]) => sum + count, 0);

  return {
    bad: total - outside,
    outside,
    text: parts.map(([reason, count]) => `${count} ${reason}`).join(', '),
  };
}

function readRow(
  row: AlpacaBar,
  instrument: Instrument,
  interval: Interval,
  now: number,
): Bar | BadRowReason {
  const t = parseInstant(row.t);
  if (t === null) return 'invalid time';
  const open = finiteNumber(row.o);
  const high = finiteNumber(row.h);
  const low = finiteNumber(row.l);
  const close = finiteNumber(row.c);
  if (open === null || high === null || low === null || close === null) {
    return 'invalid price';
  }
  if (high < low) return 'high below low';
  const { end, ...timing } = timedBar(t, instrument, interval);
  const volume = finiteNumber(row.v);

  return {
    ...timing,
    open,
    high,
    low,
    close,
    volume: volume !== null && volume >= 0 ? volume : null,
    complete: end <= now,
  };
}

interface TimedBar {
  time: number;
  date?: string;
  /** Instant the bar's period ends, for `complete`. */
  end: number;
}

function timedBar(
  t: number,
  instrument: Instrument,
  interval: Interval,
): TimedBar {
  if (!isDaily(interval)) return { time: t, end: t + INTERVAL_MS[interval] };
  const zone = timeZoneOf(instrument);
  const date = periodDate(tradingDateAt(instrument, t), interval);
  // NOTE: Alpaca's crypto days seem to start at midnight US Central time
  // (the recorded ETH/USD daily bar starts at 06:00 UTC), so a daily bar
  // ends one day after its own start rather than at midnight UTC.
  const end =
    interval === '1d'
      ? DateTime.fromMillis(t, { zone }).plus({ days: 1 })
      : DateTime.fromISO(date, { zone }).plus(
          interval === '1wk' ? { weeks: 1 } : { months: 1 },
        );

  return {
    time: Date.parse(`${date}T00:00:00Z`),
    date,
    end: end.toMillis(),
  };
}

/**
 * Returns the date a daily, weekly or monthly bar is keyed by. Weeks are
 * keyed by their Monday: adding a day first moves a week that Alpaca labels
 * with its Sunday onto the Monday that follows.
 */
function periodDate(date: string, interval: Interval): string {
  if (interval === '1d') return date;
  const day = DateTime.fromISO(date, { zone: 'utc' });
  const start =
    interval === '1wk'
      ? day.plus({ days: 1 }).startOf('week')
      : day.startOf('month');

  return start.toISODate() ?? date;
}
