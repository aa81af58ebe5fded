import type { UsEquityCalendar } from '../../market/exchange-calendar.js';
import { isUsListed, tradingDateAt } from '../../market/exchange-zones.js';
import { currencyOf } from '../../market/listing-currency.js';
import type { Quote } from '../../market/quote.js';
import type { Instrument } from '../../market/symbol.js';
import {
  finiteNumber,
  positiveNumber,
  type AggregateRow,
  type IndexEntry,
  type LooseNumber,
  type SnapshotTicker,
} from './polygon-schemas.js';
import { sessionAt } from '../../market/market-session.js';

/** Inputs every quote builder needs besides the payload. */
export interface QuoteInput {
  instrument: Instrument;
  now: number;
  calendar: UsEquityCalendar;
}

const DAY_MS = 86_400_000;
/** Significant digits of `change`: enough for any price, few enough to drop float artefacts. */
const CHANGE_DIGITS = 12;
const PERCENT_DECIMALS = 4;

/**
 * Converts a Polygon timestamp to epoch milliseconds. Stock snapshots send
 * nanoseconds and other payloads milliseconds, so the magnitude decides the
 * unit: 1e14 ms is the year 5138, and 1e14 ns is still 1970. Values between
 * 1e14 and 1e17 are read as microseconds.
 */
export function epochMs(value: number): number {
  if (value >= 1e17) return Math.floor(value / 1e6);
  if (value >= 1e14) return Math.floor(value / 1e3);

  return value;
}

/**
 * Builds a quote from a ticker snapshot. The price is the last trade, or
 * for currency pairs the midpoint of the last bid and ask, else the latest
 * minute's or day's close. Zeros in `day` mean the snapshot was reset for
 * the new day and are read as absent. Returns null when no price is found.
 */
export function quoteFromSnapshot(
  input: QuoteInput,
  ticker: SnapshotTicker,
): Quote | null {
  const isPair = input.instrument.assetClass === 'forex';
  const quoted = isPair
    ? { bid: ticker.lastQuote?.b, ask: ticker.lastQuote?.a }
    : { bid: ticker.lastQuote?.p, ask: ticker.lastQuote?.P };
  const bid = positiveNumber(quoted.bid);
  const ask = positiveNumber(quoted.ask);
  const traded = isPair
    ? midpoint(bid, ask)
    : positiveNumber(ticker.lastTrade?.p);
  // The previous day's close is not a current price: without a trade, minute
  // or day close the snapshot has none, and the next source is asked.
  const price =
    traded ?? positiveNumber(ticker.min?.c) ?? positiveNumber(ticker.day?.c);
  if (price === null) return null;
  const stamp = isPair ? ticker.lastQuote?.t : ticker.lastTrade?.t;
  const time = stamp ?? ticker.min?.t ?? ticker.updated;

  return {
    ...baseQuote(input, price, time === undefined ? input.now : epochMs(time)),
    ...change(price, positiveNumber(ticker.prevDay?.c)),
    open: positiveNumber(ticker.day?.o),
    high: positiveNumber(ticker.day?.h),
    low: positiveNumber(ticker.day?.l),
    volume: volume(ticker.day?.v),
    bid,
    ask,
  };
}

/**
 * Builds a quote from one entry of the indices snapshot. The recorded
 * payloads carry no time, so `asOf` falls back to `now`, when the value was
 * read.
 */
export function quoteFromIndex(
  input: QuoteInput,
  entry: IndexEntry,
): Quote | null {
  const price = positiveNumber(entry.value);
  if (price === null) return null;
  const asOf =
    entry.last_updated === undefined ? input.now : epochMs(entry.last_updated);

  return {
    ...baseQuote(input, price, asOf),
    ...change(price, positiveNumber(entry.session?.previous_close)),
    open: positiveNumber(entry.session?.open),
    high: positiveNumber(entry.session?.high),
    low: positiveNumber(entry.session?.low),
  };
}

/**
 * Builds a quote from the previous day's bar, for plans without snapshots.
 * The price is that day's close, as of the close of its session. The close
 * before it is unknown, so change and previous close stay null.
 */
export function quoteFromPreviousClose(
  input: QuoteInput,
  row: AggregateRow,
): Quote | null {
  const price = positiveNumber(row.c);
  if (price === null) return null;

  return {
    ...baseQuote(input, price, Math.min(input.now, dayClose(input, row.t))),
    // The price is a finished session's close, whatever session runs now.
    session: 'closed',
    open: positiveNumber(row.o),
    high: positiveNumber(row.h),
    low: positiveNumber(row.l),
    volume: volume(row.v),
  };
}

function baseQuote(input: QuoteInput, price: number, asOf: number): Quote {
  const { instrument } = input;

  return {
    symbol: instrument.symbol,
    assetClass: instrument.assetClass,
    currency: currencyOf(instrument),
    // Snapshots name the exchange of the last trade by a numeric id only.
    exchange: null,
    price,
    change: null,
    changePercent: null,
    previousClose: null,
    open: null,
    high: null,
    low: null,
    volume: null,
    bid: null,
    ask: null,
    session: sessionAt(instrument, input.now, input.calendar),
    asOf,
    source: 'polygon',
    stale: false,
    // NOTE: plans with delayed stock data deliver it 15 minutes late, but
    // the payloads do not name the plan, so no delay is reported.
    delayed: 0,
  };
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

function midpoint(bid: number | null, ask: number | null): number | null {
  if (bid === null || ask === null) return null;

  return Number(((bid + ask) / 2).toPrecision(CHANGE_DIGITS));
}

function volume(value: LooseNumber): number | null {
  const number = finiteNumber(value);

  return number !== null && number >= 0 ? number : null;
}

/** Returns when the trading day that starts a bar at `time` closed. */
function dayClose(input: QuoteInput, time: number): number {
  const { instrument, calendar } = input;
  if (!isUsListed(instrument)) return time + DAY_MS;
  const day = calendar.tradingDay(tradingDateAt(instrument, time));

  return day?.close ?? time + DAY_MS;
}
