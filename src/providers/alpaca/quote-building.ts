import type { UsEquityCalendar } from '../../market/exchange-calendar.js';
import { currencyOf } from '../../market/listing-currency.js';
import { sessionAt } from '../../market/market-session.js';
import type { Quote } from '../../market/quote.js';
import type { Instrument } from '../../market/symbol.js';
import {
  finiteNumber,
  positiveNumber,
  type AlpacaBar,
  type AlpacaSnapshot,
} from './alpaca-schemas.js';
import { parseInstant } from './alpaca-time.js';

/** Inputs every quote needs besides the payload. */
export interface QuoteInput {
  instrument: Instrument;
  now: number;
  calendar: UsEquityCalendar;
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** Significant digits of `change`: enough for any price, few enough to drop float artefacts. */
const CHANGE_DIGITS = 12;
const PERCENT_DECIMALS = 4;

/** Tells whether a snapshot is empty, as for a symbol Alpaca does not list. */
export function isEmptySnapshot(snapshot: AlpacaSnapshot): boolean {
  return (
    !snapshot.latestTrade &&
    !snapshot.latestQuote &&
    !snapshot.minuteBar &&
    !snapshot.dailyBar &&
    !snapshot.prevDailyBar
  );
}

/**
 * Builds a quote from a snapshot. The price is the latest trade, else the
 * latest minute's or day's close; the previous day's close is never taken
 * for a current price. Open, high, low and volume are the daily bar's, bid
 * and ask the latest quote's. Returns null when no price is found.
 */
export function quoteFromSnapshot(
  input: QuoteInput,
  snapshot: AlpacaSnapshot,
): Quote | null {
  const priced = latestPrice(input, snapshot);
  if (!priced) return null;
  const { dailyBar } = snapshot;
  const volume = finiteNumber(dailyBar?.v);

  return {
    symbol: input.instrument.symbol,
    assetClass: input.instrument.assetClass,
    currency: currencyOf(input.instrument),
    // Snapshots name the exchange of each print, not the listing exchange.
    exchange: null,
    price: priced.price,
    ...change(priced.price, positiveNumber(snapshot.prevDailyBar?.c)),
    open: positiveNumber(dailyBar?.o),
    high: positiveNumber(dailyBar?.h),
    low: positiveNumber(dailyBar?.l),
    volume: volume !== null && volume >= 0 ? volume : null,
    bid: positiveNumber(snapshot.latestQuote?.bp),
    ask: positiveNumber(snapshot.latestQuote?.ap),
    session: sessionAt(input.instrument, input.now, input.calendar),
    asOf: priced.asOf,
    source: 'alpaca',
    stale: false,
    // Both feeds deliver in real time; a plan that delays SIP data rejects
    // it instead, and the adapter then reads the IEX feed.
    delayed: 0,
  };
}

/** Returns the latest price and the instant it is valid as of. */
function latestPrice(
  input: QuoteInput,
  snapshot: AlpacaSnapshot,
): { price: number; asOf: number } | null {
  const trade = snapshot.latestTrade;
  const traded = positiveNumber(trade?.p);
  if (traded !== null) {
    const time = trade ? parseInstant(trade.t) : null;
    return { price: traded, asOf: time ?? input.now };
  }
  for (const [bar, length] of [
    [snapshot.minuteBar, MINUTE_MS],
    [snapshot.dailyBar, DAY_MS],
  ] as const) {
    const close = positiveNumber(bar?.c);
    if (close !== null) {
      return { price: close, asOf: barCloseTime(input.now, bar, length) };
    }
  }

  return null;
}

/** Returns when a bar's close was set: the end of its period, or now while it runs. */
function barCloseTime(
  now: number,
  bar: AlpacaBar | null | undefined,
  length: number,
): number {
  const start = bar ? parseInstant(bar.t) : null;

  return start === null ? now : Math.min(now, start + length);
}

function change(
  price: number,
  previousClose: number | null,
): Pick<Quote, 'change' | 'changePercent' | 'previousClose'> {
  if (previousClose === null) {
    return { change: null, changePercent: null, previousClose: null };
  }
  const difference = Number((price - previousClose).toPrecision(CHANGE_DIGITS));
  const factor = 10 ** PERCENT_DECIMALS;

  return {
    change: difference,
    changePercent:
      Math.round((difference / previousClose) * 100 * factor) / factor,
    previousClose,
  };
}

/** A quote with its contradicting fields set to null, and what was dropped. */
export interface CheckedQuote {
  quote: Quote;
  /** One entry per dropped pair, e.g. `bid and ask (bid 10.2 > ask 10.1)`. */
  dropped: string[];
}

/**
 * Sets fields that contradict each other to null rather than serving them:
 * a low above the high drops both, and so does a bid above the ask. The
 * price is kept even outside the day's range, since trades outside regular
 * hours can set it.
 */
export function dropContradictions(quote: Quote): CheckedQuote {
  const checked = { ...quote };
  const dropped: string[] = [];
  if (checked.low !== null && checked.high !== null) {
    if (checked.low > checked.high) {
      dropped.push(`high and low (low ${checked.low} > high ${checked.high})`);
      checked.high = null;
      checked.low = null;
    }
  }
  if (checked.bid !== null && checked.ask !== null) {
    if (checked.bid > checked.ask) {
      dropped.push(`bid and ask (bid ${checked.bid} > ask ${checked.ask})`);
      checked.bid = null;
      checked.ask = null;
    }
  }

  return { quote: checked, dropped };
}
