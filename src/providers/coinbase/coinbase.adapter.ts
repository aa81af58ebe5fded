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
import { matchProducts, ProductCatalog } from './coinbase-catalog.js';
import { CandleHistory } from './coinbase-history.js';
import { CoinbaseHttp } from './coinbase-http.js';
import { buildProfile } from './coinbase-profile.js';
import { buildQuote } from './coinbase-quote.js';
import { coinbaseStreamProtocol } from './coinbase-stream-protocol.js';
import {
  productSchema,
  statsSchema,
  tickerSchema,
  type Stats,
} from './coinbase-schemas.js';
import { toProductId } from './coinbase-symbols.js';

/**
 * Coinbase Exchange public market data, which needs no key. It lists
 * crypto pairs only, under product ids that are the canonical symbols
 * (`BTC-USD`). Quotes come from the ticker and the 24-hour stats, history
 * from candles, profiles from the product and search from the product list.
 * Trades stream from the `ticker` channel of COINBASE_STREAM_URL.
 */
export class CoinbaseSource extends UpstreamSource implements MarketDataSource {
  readonly id = 'coinbase';
  readonly name = 'Coinbase Exchange';
  readonly capabilities: ReadonlySet<Capability>;

  private readonly http: CoinbaseHttp;
  private readonly candles: CandleHistory;
  private readonly catalog: ProductCatalog;

  constructor(context: UpstreamContext) {
    super(context);
    this.http = new CoinbaseHttp(context);
    this.candles = new CandleHistory(this.http, context);
    this.catalog = new ProductCatalog(this.http, context);
    const { streamUrl } = context.settings;
    if (streamUrl)
      this.stream = this.openStream(coinbaseStreamProtocol(streamUrl));
    this.capabilities = new Set<Capability>([
      'quote',
      'history',
      'profile',
      'search',
      ...(this.stream ? (['stream'] as const) : []),
    ]);
  }

  /**
   * Reads the ticker and the 24-hour stats at once. The ticker carries the
   * price, so its failure fails the quote; without the stats the quote is
   * served with its 24-hour fields null.
   */
  async getQuote(instrument: Instrument): Promise<Quote> {
    const path = this.productPath(instrument);
    const { symbol } = instrument;
    const [ticker, stats] = await Promise.all([
      this.http.get(`${path}/ticker`, {}, symbol, tickerSchema),
      this.http
        .get(`${path}/stats`, {}, symbol, statsSchema)
        .catch((error: unknown) => this.withoutStats(symbol, error)),
    ]);
    const { quote, dropped } = buildQuote(instrument, ticker, stats);
    if (dropped.length > 0) {
      this.context.logger.warn(
        `coinbase ${symbol}: dropped inconsistent quote fields: ${dropped.join('; ')}`,
      );
    }

    return quote;
  }

  async getHistory(query: HistoryQuery): Promise<HistoryResult> {
    const productId = this.productIdOf(query.instrument);

    return this.candles.history(query, productId);
  }

  async getProfile(instrument: Instrument): Promise<Profile> {
    const product = await this.http.get(
      this.productPath(instrument),
      {},
      instrument.symbol,
      productSchema,
    );

    return buildProfile(instrument, product, this.context.clock.now());
  }

  async search(query: string, limit: number): Promise<SymbolMatch[]> {
    const entries = await this.catalog.entries(query);

    return matchProducts(entries, query, limit);
  }

  /**
   * Returns null in place of stats that failed, after a warning; an unknown
   * product fails the ticker as well, so that error is passed on.
   */
  private withoutStats(symbol: string, error: unknown): Stats | null {
    if (
      !(error instanceof UpstreamError) ||
      error.code === 'SYMBOL_NOT_FOUND'
    ) {
      throw error;
    }
    this.context.logger.warn(
      `coinbase ${symbol}: ${error.code} for the 24-hour stats, serving the quote without them: ${error.detail}`,
    );

    return null;
  }

  private productPath(instrument: Instrument): string {
    return `/products/${encodeURIComponent(this.productIdOf(instrument))}`;
  }

  /** Returns the product id, or throws SYMBOL_NOT_FOUND without a call. */
  private productIdOf(instrument: Instrument): string {
    const productId = toProductId(instrument);
    if (productId === null) {
      throw this.http.error(
        'SYMBOL_NOT_FOUND',
        `coinbase lists crypto pairs only, not the ${instrument.assetClass} ${instrument.symbol}.`,
        instrument.symbol,
      );
    }

    return productId;
  }
}
