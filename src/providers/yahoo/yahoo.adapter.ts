import type { Profile, SymbolMatch } from '../../market/profile.js';
import type { Quote } from '../../market/quote.js';
import type { Instrument } from '../../market/symbol.js';
import type {
  Capability,
  HistoryQuery,
  HistoryResult,
  MarketDataSource,
} from '../market-data-source.js';
import type { UpstreamResponse } from '../upstream/upstream-http.client.js';
import {
  UpstreamSource,
  type UpstreamContext,
} from '../upstream/upstream-source.js';
import { chartRequest, parseChart } from './yahoo-chart.js';
import { buildHistory, type ChartHistory } from './yahoo-history.js';
import type { Fail } from './yahoo-payload.js';
import { buildProfile, parseProfile, profileRequest } from './yahoo-profile.js';
import { buildQuote, parseQuote, quoteRequest } from './yahoo-quote.js';
import { buildMatches, parseSearch, searchRequest } from './yahoo-search.js';
import { YahooSession } from './yahoo-session.js';
import { toYahooSymbol } from './yahoo-symbols.js';

export interface YahooSourceOptions {
  /** URL whose response sets Yahoo's consent cookie (YAHOO_COOKIE_URL). */
  cookieUrl: string;
}

/** The default of YAHOO_COOKIE_URL. */
export const DEFAULT_COOKIE_URL = 'https://fc.yahoo.com';

/**
 * Yahoo Finance through the JSON endpoints its web pages use; there is no
 * official API. Quotes and profiles need a consent cookie and a crumb
 * (see YahooSession); charts and search do not. Tickers are mapped to
 * Yahoo's notation and back (`BRK.B` is `BRK-B`, `EUR-USD` is `EURUSD=X`).
 */
export class YahooSource extends UpstreamSource implements MarketDataSource {
  readonly id = 'yahoo';
  readonly name = 'Yahoo Finance (unofficial)';
  readonly capabilities: ReadonlySet<Capability> = new Set<Capability>([
    'quote',
    'history',
    'profile',
    'search',
  ]);

  private readonly session: YahooSession;

  constructor(
    context: UpstreamContext,
    options: YahooSourceOptions = { cookieUrl: DEFAULT_COOKIE_URL },
  ) {
    super(context);
    this.session = new YahooSession(
      context.client,
      options.cookieUrl,
      context.logger,
    );
  }

  async getQuote(instrument: Instrument): Promise<Quote> {
    const ticker = toYahooSymbol(instrument);
    const { symbol } = instrument;
    const row = await this.session.withCredentials(symbol, (credentials) =>
      this.context.client.call(
        quoteRequest(ticker, symbol, credentials),
        (response) => parseQuote(response, ticker, this.fail(symbol, response)),
      ),
    );

    return buildQuote(row, instrument, this.fail(symbol));
  }

  async getHistory(query: HistoryQuery): Promise<HistoryResult> {
    const ticker = toYahooSymbol(query.instrument);
    const { symbol } = query.instrument;
    const chart = await this.context.client.call(
      chartRequest(ticker, query),
      (response) => parseChart(response, ticker, this.fail(symbol, response)),
    );
    const history = buildHistory(chart, query, this.context.clock.now());
    this.report(symbol, history);
    if (history.result.bars.length === 0) {
      throw this.fail(symbol)(
        'DATA_NOT_AVAILABLE',
        `Yahoo has no ${query.interval} bars for ${ticker} in the requested range.`,
      );
    }

    return history.result;
  }

  async getProfile(instrument: Instrument): Promise<Profile> {
    const ticker = toYahooSymbol(instrument);
    const { symbol } = instrument;
    const summary = await this.session.withCredentials(symbol, (credentials) =>
      this.context.client.call(
        profileRequest(ticker, symbol, credentials),
        (response) =>
          parseProfile(response, ticker, this.fail(symbol, response)),
      ),
    );

    return buildProfile(summary, instrument, this.context.clock.now());
  }

  async search(query: string, limit: number): Promise<SymbolMatch[]> {
    const quotes = await this.context.client.call(
      searchRequest(query, limit),
      (response) => parseSearch(response, this.fail(query, response)),
    );

    return buildMatches(quotes, limit);
  }

  /** Builds errors with the cookie and crumb scrubbed, as the client does with keys. */
  private fail(symbol: string, response?: UpstreamResponse): Fail {
    return (code, detail) =>
      this.context.client.error(code, this.session.scrub(detail), symbol, {
        status: response?.status,
      });
  }

  /** Logs the rows left out of a chart in one line, and a jump that made it raw. */
  private report(symbol: string, { dropped, jump }: ChartHistory): void {
    const total = dropped.missing + dropped.duplicate + dropped.outside;
    if (total > 0) {
      this.context.logger.warn(
        `yahoo ${symbol}: dropped ${total} chart rows (${dropped.missing} without prices, ${dropped.duplicate} duplicate, ${dropped.outside} outside the requested span)`,
      );
    }
    if (jump) {
      this.context.logger.warn(
        `yahoo ${symbol}: prices jump by a factor of ${jump.jump.toFixed(3)} on ${jump.date} as a split would, so the bars are served as raw`,
      );
    }
  }
}
