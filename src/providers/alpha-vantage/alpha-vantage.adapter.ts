import type { z } from 'zod';
import { UsEquityCalendar } from '../../market/exchange-calendar.js';
import { timeZoneOf } from '../../market/exchange-zones.js';
import { forexWeek } from '../../market/market-session.js';
import type { Profile, SymbolMatch } from '../../market/profile.js';
import type { Quote, Session } from '../../market/quote.js';
import type { Instrument } from '../../market/symbol.js';
import type {
  Capability,
  HistoryQuery,
  HistoryResult,
  MarketDataSource,
} from '../market-data-source.js';
import { UpstreamSource } from '../upstream/upstream-source.js';
import type {
  UpstreamError,
  UpstreamErrorCode,
} from '../upstream/upstream.errors.js';
import { barClose } from './bar-close.js';
import { fitWindow, type WindowedBars } from './bar-window.js';
import { readPayload } from './payload.js';
import {
  listingProfile,
  pairProfile,
  searchMatch,
} from './profile-building.js';
import { equityQuote, pairQuote, SOURCE_ID } from './quote-building.js';
import {
  exchangeRateSchema,
  globalQuoteSchema,
  overviewSchema,
  symbolSearchSchema,
  timeSeriesSchema,
  type ExchangeRate,
} from './schemas.js';
import { readSeriesRows, seriesZone } from './series-rows.js';
import { seriesRequest } from './series-request.js';
import {
  toAlphaVantage,
  type AlphaVantageSymbol,
  type SymbolStyle,
} from './symbol-mapping.js';

type Pair = Extract<AlphaVantageSymbol, { kind: 'pair' }>;

/**
 * Alpha Vantage (www.alphavantage.co): quotes, history, company overviews
 * and symbol search over `GET /query?function=…&apikey=…`. It reports most
 * failures with HTTP 200 and a notice in place of data, which `readPayload`
 * turns into classified errors.
 */
export class AlphaVantageSource
  extends UpstreamSource
  implements MarketDataSource
{
  readonly id = SOURCE_ID;
  readonly name = 'Alpha Vantage';
  readonly capabilities: ReadonlySet<Capability> = new Set<Capability>([
    'quote',
    'history',
    'profile',
    'search',
  ]);
  private readonly calendar = new UsEquityCalendar();

  async getQuote(instrument: Instrument): Promise<Quote> {
    const symbol = this.mapped(instrument, 'prices');
    if (symbol.kind === 'pair') {
      const rate = await this.exchangeRate(symbol, instrument);
      return pairQuote(rate, instrument, () => this.forexSession(), this.now());
    }
    const payload = await this.fetch(
      { function: 'GLOBAL_QUOTE', symbol: symbol.symbol },
      instrument.symbol,
      globalQuoteSchema,
    );
    const fields = payload['Global Quote'];
    if (!fields) {
      throw this.error(
        'SYMBOL_NOT_FOUND',
        `Alpha Vantage returned an empty quote for ${instrument.symbol}, so it does not know the symbol.`,
        instrument.symbol,
      );
    }

    return equityQuote(fields, instrument, this.calendar, this.now());
  }

  async getHistory(query: HistoryQuery): Promise<HistoryResult> {
    const { instrument, interval } = query;
    const symbol = this.mapped(instrument, 'prices');
    const now = this.now();
    const request = seriesRequest(symbol, query, timeZoneOf(instrument), now);
    if (!request) {
      throw this.error(
        'DATA_NOT_AVAILABLE',
        `Alpha Vantage has no ${interval} bars for ${instrument.symbol}; it serves crypto history as 1d, 1wk and 1mo bars only.`,
        instrument.symbol,
      );
    }
    const payload = await this.fetch(
      request.params,
      instrument.symbol,
      timeSeriesSchema,
    );
    const zone = seriesZone(payload.meta) ?? timeZoneOf(instrument);
    const read = readSeriesRows(payload, interval, zone, request.market);
    const windowed = fitWindow(
      read.bars,
      query,
      (bar) => barClose(bar, interval, instrument, zone, this.calendar),
      now,
    );
    this.logDropped(instrument.symbol, read.invalid, windowed);
    if (windowed.bars.length === 0) {
      const rowsFound =
        read.bars.length === 0 ? 'no rows' : 'no rows in the requested range';
      throw this.error(
        'DATA_NOT_AVAILABLE',
        `Alpha Vantage returned ${rowsFound} of ${request.params.function} (${interval}) for ${instrument.symbol}.`,
        instrument.symbol,
      );
    }

    return {
      bars: windowed.bars,
      events: [],
      adjustment: request.adjustment,
      timeZone: zone,
      asOf: now,
    };
  }

  async getProfile(instrument: Instrument): Promise<Profile> {
    const symbol = this.mapped(instrument, 'fundamentals');
    if (symbol.kind === 'pair') {
      const rate = await this.exchangeRate(symbol, instrument);
      return pairProfile(rate, instrument, this.now());
    }
    const fields = await this.fetch(
      { function: 'OVERVIEW', symbol: symbol.symbol },
      instrument.symbol,
      overviewSchema,
    );
    if (!fields) {
      throw this.error(
        'SYMBOL_NOT_FOUND',
        `Alpha Vantage returned an empty overview for ${instrument.symbol}, so it has no company profile for it.`,
        instrument.symbol,
      );
    }

    return listingProfile(fields, instrument, this.now());
  }

  async search(query: string, limit: number): Promise<SymbolMatch[]> {
    const payload = await this.fetch(
      { function: 'SYMBOL_SEARCH', keywords: query },
      null,
      symbolSearchSchema,
      query,
    );
    const found = new Map<string, SymbolMatch>();
    let skipped = 0;
    for (const match of payload.bestMatches) {
      const canonical = searchMatch(match);
      if (!canonical) skipped += 1;
      else if (!found.has(canonical.symbol))
        found.set(canonical.symbol, canonical);
    }
    if (skipped > 0) {
      this.context.logger.debug(
        `${SOURCE_ID} search "${query}": skipped ${skipped} matches on exchanges without a canonical suffix`,
      );
    }

    return [...found.values()].slice(0, limit);
  }

  /**
   * Calls `/query` with the key as the `apikey` parameter, the only way
   * Alpha Vantage accepts it; the HTTP client scrubs it from logs and
   * errors. `symbol` is null for calls that name no instrument, and
   * `subject` then names the call in logs.
   */
  private fetch<Schema extends z.ZodType>(
    params: Record<string, string>,
    symbol: string | null,
    schema: Schema,
    subject = symbol ?? '',
  ): Promise<z.output<Schema>> {
    const { client, settings } = this.context;

    return client.call(
      {
        path: '/query',
        query: { ...params, apikey: settings.key ?? undefined },
        symbol: subject,
      },
      (response) => readPayload(response, schema, client, symbol),
    );
  }

  private async exchangeRate(
    pair: Pair,
    instrument: Instrument,
  ): Promise<ExchangeRate> {
    const payload = await this.fetch(
      {
        function: 'CURRENCY_EXCHANGE_RATE',
        from_currency: pair.from,
        to_currency: pair.to,
      },
      instrument.symbol,
      exchangeRateSchema,
    );
    const rate = payload['Realtime Currency Exchange Rate'];
    const returned = `${rate['1. From_Currency Code']}-${rate['3. To_Currency Code']}`;
    if (returned.toUpperCase() !== `${pair.from}-${pair.to}`) {
      throw this.error(
        'UPSTREAM_MALFORMED',
        `Alpha Vantage returned the rate of ${returned} when ${instrument.symbol} was requested.`,
        instrument.symbol,
      );
    }

    return rate;
  }

  /** Maps the instrument, or fails without a call when Alpha Vantage does not serve it. */
  private mapped(
    instrument: Instrument,
    style: SymbolStyle,
  ): AlphaVantageSymbol {
    const symbol = toAlphaVantage(instrument, style);
    if (symbol) return symbol;
    const unserved =
      instrument.assetClass === 'index'
        ? 'indices such as'
        : 'listings on the exchange of';

    throw this.error(
      'SYMBOL_NOT_FOUND',
      `Alpha Vantage does not serve ${unserved} ${instrument.symbol}.`,
      instrument.symbol,
    );
  }

  private logDropped(
    symbol: string,
    invalid: number,
    { outside, duplicate }: WindowedBars,
  ): void {
    const total = invalid + outside + duplicate;
    if (total === 0) return;
    const line = `${SOURCE_ID} ${symbol}: dropped ${total} rows (${outside} outside the requested range, ${duplicate} with a repeated time, ${invalid} without valid prices)`;
    // Alpha Vantage sends whole series, so rows outside the range are routine;
    // only duplicates and rows without prices point at bad data.
    if (invalid + duplicate > 0) this.context.logger.warn(line);
    else this.context.logger.debug(line);
  }

  private forexSession(): Session {
    return forexWeek(this.now()).isOpen ? 'regular' : 'closed';
  }

  private error(
    code: UpstreamErrorCode,
    detail: string,
    symbol: string,
  ): UpstreamError {
    return this.context.client.error(code, detail, symbol);
  }

  private now(): number {
    return this.context.clock.now();
  }
}
