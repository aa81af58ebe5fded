import { DateTime } from 'luxon';
import type { UsEquityCalendar } from '../../market/exchange-calendar.js';
import { isUsListed, timeZoneOf } from '../../market/exchange-zones.js';
import { currencyOf } from '../../market/listing-currency.js';
import type { Quote, Session } from '../../market/quote.js';
import type { Instrument } from '../../market/symbol.js';
import type { ExchangeRate, GlobalQuoteFields } from './schemas.js';

export const SOURCE_ID = 'alpha_vantage';

/**
 * Builds an equity quote from GLOBAL_QUOTE, which names only the trading
 * day of its price. The price counts as of that day's close (the session
 * close for US listings, local midnight elsewhere), or as of now while the
 * day is still open. The price of a finished day is a close, so its
 * session is `closed`.
 */
export function equityQuote(
  fields: GlobalQuoteFields,
  instrument: Instrument,
  calendar: UsEquityCalendar,
  now: number,
): Quote {
  const date = fields['07. latest trading day'];
  const usListed = isUsListed(instrument);
  const dayEnd =
    (usListed ? calendar.tradingDay(date)?.close : undefined) ??
    DateTime.fromISO(date, { zone: timeZoneOf(instrument) })
      .plus({ days: 1 })
      .toMillis();
  // TODO: sessions of non-US exchanges; their open days report `closed`.
  const session: Session =
    dayEnd > now && usListed ? calendar.sessionAt(now) : 'closed';

  return {
    symbol: instrument.symbol,
    assetClass: instrument.assetClass,
    currency: currencyOf(instrument),
    exchange: null,
    price: fields['05. price'],
    change: fields['09. change'],
    changePercent: fields['10. change percent'],
    previousClose: fields['08. previous close'],
    open: fields['02. open'],
    high: fields['03. high'],
    low: fields['04. low'],
    volume: fields['06. volume'],
    bid: null,
    ask: null,
    session,
    asOf: Math.min(now, dayEnd),
    source: SOURCE_ID,
    stale: false,
    delayed: 0,
  };
}

/**
 * Builds a crypto or forex quote from CURRENCY_EXCHANGE_RATE: a rate with
 * its refresh time, and a bid and ask in newer responses. `forexSession`
 * returns the current session of the forex market.
 */
export function pairQuote(
  rate: ExchangeRate,
  instrument: Instrument,
  forexSession: () => Session,
  now: number,
): Quote {
  const refreshed = DateTime.fromSQL(rate['6. Last Refreshed'], {
    zone: rate['7. Time Zone'],
  }).toMillis();

  return {
    symbol: instrument.symbol,
    assetClass: instrument.assetClass,
    currency: currencyOf(instrument),
    exchange: null,
    price: rate['5. Exchange Rate'],
    change: null,
    changePercent: null,
    previousClose: null,
    open: null,
    high: null,
    low: null,
    volume: null,
    bid: rate['8. Bid Price'],
    ask: rate['9. Ask Price'],
    session: instrument.assetClass === 'crypto' ? 'regular' : forexSession(),
    asOf: Math.min(now, refreshed),
    source: SOURCE_ID,
    stale: false,
    delayed: 0,
  };
}
