import { UsEquityCalendar } from '../../market/exchange-calendar.js';
import { timeZoneOf } from '../../market/exchange-zones.js';
import { isDaily } from '../../market/interval.js';
import type { Profile, SymbolMatch } from '../../market/profile.js';
import type { Quote } from '../../market/quote.js';
import type { Instrument } from '../../market/symbol.js';
import type {
  Capability,
  HistoryQuery,
  HistoryResult,
  MarketDataSource,
} from '../market-data-source.js';
import { UpstreamError } from '../upstream/upstream.errors.js';
import {
  UpstreamSource,
  type UpstreamContext,
} from '../upstream/upstream-source.js';
import {
  countUsableRows,
  describeDrops,
  normalizeBars,
} from './aggregate-bars.js';
import { collectAggregatePages } from './aggregate-pages.js';
import { aggregatesRequest, pathSegment } from './aggregate-request.js';
import { polygonStreamProtocol } from './polygon-stream-protocol.js';
import { PolygonHttp } from './polygon-http.js';
import {
  quoteFromIndex,
  quoteFromPreviousClose,
  quoteFromSnapshot,
  type QuoteInput,
} from './polygon-quote.js';
import { matchesFromTickers, profileFromDetails } from './polygon-reference.js';
import {
  aggregatesSchema,
  indicesSnapshotSchema,
  tickerDetailsBodySchema,
  tickerListSchema,
  tickerSnapshotSchema,
} from './polygon-schemas.js';
import { toPolygonTicker } from './polygon-symbols.js';
import { checkQuote } from './quote-sanity.js';

/** Most rows Polygon returns from one ticker search. */
const MAX_SEARCH_LIMIT = 1000;

/**
 * Polygon.io, now also named Massive. Quotes come from snapshots, or from
 * the previous day's bar when the plan has no snapshots. History comes from
 * aggregates, and profiles and search from the ticker reference.
 */
export class PolygonSource extends UpstreamSource implements MarketDataSource {
  readonly id = 'polygon';
  readonly name = 'Polygon.io (Massive)';
  readonly capabilities: ReadonlySet<Capability>;

  private readonly http: PolygonHttp;
  private readonly calendar = new UsEquityCalendar();

  constructor(context: UpstreamContext) {
    super(context);
    this.http = new PolygonHttp(context);
    const { streamUrl, key } = context.settings;
    if (streamUrl && key)
      this.stream = this.openStream(polygonStreamProtocol(streamUrl, key));
    this.capabilities = new Set<Capability>([
      'quote',
      'history',
      'profile',
      'search',
      ...(this.stream ? (['stream'] as const) : []),
    ]);
  }

  /**
   * Builds the quote from the snapshot of the instrument's market. A plan without
   * snapshots gets 403 `NOT_AUTHORIZED`, and then the previous day's bar
   * is used instead.
   */
  async getQuote(instrument: Instrument): Promise<Quote> {
    const ticker = this.tickerOf(instrument);
    let quote: Quote;
    try {
      quote = await this.snapshotQuote(instrument, ticker);
    } catch (error) {
      if (
        !(error instanceof UpstreamError) ||
        error.code !== 'PLAN_NOT_PERMITTED'
      )
        throw error;
      this.context.logger.log(
        `polygon ${instrument.symbol}: ${error.code} for the snapshot, using the previous close`,
      );
      quote = await this.previousCloseQuote(instrument, ticker);
    }

    return this.checked(quote);
  }

  async getHistory(query: HistoryQuery): Promise<HistoryResult> {
    const { instrument } = query;
    const symbol = instrument.symbol;
    const request = aggregatesRequest(this.tickerOf(instrument), query);
    const forward = query.start !== null;
    const collected = await collectAggregatePages({
      first: () =>
        this.http.get(request.path, request.query, symbol, aggregatesSchema),
      next: (url) => this.http.follow(url, symbol, aggregatesSchema),
      // Backward queries need every page up to `end`, since the latest bars come last.
      enough: (rows) => forward && countUsableRows(rows) >= query.limit,
      fail: (detail) => this.http.error('UPSTREAM_MALFORMED', detail, symbol),
    });
    const now = this.context.clock.now();
    const { bars, dropped } = normalizeBars(collected.rows, query, now);
    const drops = describeDrops(dropped);
    if (drops.total > 0) {
      this.context.logger.warn(
        `polygon ${symbol}: dropped ${drops.total} aggregate rows (${drops.text})`,
      );
    }
    if (bars.length === 0) {
      throw this.http.error(
        'DATA_NOT_AVAILABLE',
        `polygon has no ${query.interval} bars for ${symbol} ${rangeText(query)}.`,
        symbol,
      );
    }
    const adjusted = collected.adjusted ?? query.adjusted;

    return {
      bars: forward ? bars.slice(0, query.limit) : bars.slice(-query.limit),
      // TODO: splits and dividends from /v3/reference/splits and
      // /v3/reference/dividends, at the cost of more calls per request.
      events: [],
      // Polygon adjusts for splits only, never for dividends.
      adjustment: adjusted ? 'split' : 'raw',
      timeZone: timeZoneOf(instrument),
      asOf: now,
    };
  }

  async getProfile(instrument: Instrument): Promise<Profile> {
    const ticker = this.tickerOf(instrument);
    const body = await this.http.get(
      `/v3/reference/tickers/${pathSegment(ticker)}`,
      {},
      instrument.symbol,
      tickerDetailsBodySchema,
    );
    if (!body.results) throw this.notFound(instrument);

    return profileFromDetails(
      instrument,
      body.results,
      this.context.clock.now(),
    );
  }

  async search(query: string, limit: number): Promise<SymbolMatch[]> {
    const body = await this.http.get(
      '/v3/reference/tickers',
      {
        search: query,
        active: true,
        limit: Math.min(limit, MAX_SEARCH_LIMIT),
      },
      query,
      tickerListSchema,
    );

    return matchesFromTickers(body.results ?? []).slice(0, limit);
  }

  private async snapshotQuote(
    instrument: Instrument,
    ticker: string,
  ): Promise<Quote> {
    const input = this.quoteInput(instrument);
    if (instrument.assetClass === 'index') {
      const body = await this.http.get(
        '/v3/snapshot/indices',
        { 'ticker.any_of': ticker },
        instrument.symbol,
        indicesSnapshotSchema,
      );
      const entry = (body.results ?? []).find(
        (result) => result.ticker === ticker || `I:${result.ticker}` === ticker,
      );
      if (entry?.error)
        throw this.indexError(instrument, entry.error, entry.message);
      const quote = entry ? quoteFromIndex(input, entry) : null;

      return quote ?? this.noPrice(instrument);
    }
    const body = await this.http.get(
      `${snapshotPath(instrument)}/${pathSegment(ticker)}`,
      {},
      instrument.symbol,
      tickerSnapshotSchema,
    );
    if (!body.ticker) throw this.notFound(instrument);

    return quoteFromSnapshot(input, body.ticker) ?? this.noPrice(instrument);
  }

  private async previousCloseQuote(
    instrument: Instrument,
    ticker: string,
  ): Promise<Quote> {
    const body = await this.http.get(
      `/v2/aggs/ticker/${pathSegment(ticker)}/prev`,
      { adjusted: 'true' },
      instrument.symbol,
      aggregatesSchema,
    );
    const row = body.results?.at(-1);
    if (!row) throw this.notFound(instrument);
    const quote = quoteFromPreviousClose(this.quoteInput(instrument), row);

    return quote ?? this.noPrice(instrument);
  }

  private checked(quote: Quote): Quote {
    const { quote: checked, dropped } = checkQuote(quote);
    if (dropped.length > 0) {
      this.context.logger.warn(
        `polygon ${quote.symbol}: dropped inconsistent quote fields: ${dropped.join('; ')}`,
      );
    }

    return checked;
  }

  private quoteInput(instrument: Instrument): QuoteInput {
    return {
      instrument,
      now: this.context.clock.now(),
      calendar: this.calendar,
    };
  }

  /** Returns the Polygon ticker, or throws SYMBOL_NOT_FOUND without a call. */
  private tickerOf(instrument: Instrument): string {
    const ticker = toPolygonTicker(instrument);
    if (ticker === null) {
      throw this.http.error(
        'SYMBOL_NOT_FOUND',
        `polygon does not list ${instrument.symbol}; it covers US stocks, the indices ^GSPC, ^DJI, ^IXIC, ^NDX, ^RUT and ^VIX, crypto and currency pairs.`,
        instrument.symbol,
      );
    }

    return ticker;
  }

  private indexError(
    instrument: Instrument,
    code: string,
    message: string | undefined,
  ): UpstreamError {
    const said = message ? `: ${message}` : '';
    if (code === 'NOT_ENTITLED' || code === 'NOT_AUTHORIZED') {
      return this.http.error(
        'PLAN_NOT_PERMITTED',
        `The polygon plan of this key does not include ${instrument.symbol} (${code})${said}`,
        instrument.symbol,
      );
    }

    return code === 'NOT_FOUND'
      ? this.notFound(instrument)
      : this.http.error(
          'UPSTREAM_MALFORMED',
          `polygon sent the error ${code} for ${instrument.symbol}${said}`,
          instrument.symbol,
        );
  }

  private notFound(instrument: Instrument): UpstreamError {
    return this.http.error(
      'SYMBOL_NOT_FOUND',
      `polygon does not know ${instrument.symbol}.`,
      instrument.symbol,
    );
  }

  private noPrice(instrument: Instrument): never {
    throw this.http.error(
      'UPSTREAM_MALFORMED',
      `polygon sent a snapshot of ${instrument.symbol} without a usable price.`,
      instrument.symbol,
    );
  }
}

function snapshotPath(instrument: Instrument): string {
  switch (instrument.assetClass) {
    case 'crypto':
      return '/v2/snapshot/locale/global/markets/crypto/tickers';
    case 'forex':
      return '/v2/snapshot/locale/global/markets/forex/tickers';
    case 'equity':
    case 'index':
      return '/v2/snapshot/locale/us/markets/stocks/tickers';
  }
}

/** Describes a query's range for error details, e.g. `from 2024-03-01 to 2024-03-08`. */
function rangeText(query: HistoryQuery): string {
  const iso = (ms: number) =>
    isDaily(query.interval)
      ? new Date(ms).toISOString().slice(0, 10)
      : new Date(ms).toISOString();
  const end = `to ${iso(query.end)}`;

  return query.start === null ? `up ${end}` : `from ${iso(query.start)} ${end}`;
}
