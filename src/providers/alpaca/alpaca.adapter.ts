import type { Quote } from '../../market/quote.js';
import type { Instrument } from '../../market/symbol.js';
import type {
  Capability,
  HistoryQuery,
  HistoryResult,
  MarketDataSource,
} from '../market-data-source.js';
import {
  UpstreamSource,
  type UpstreamContext,
} from '../upstream/upstream-source.js';
import { RoutedTickStream } from '../upstream-stream/routed-tick-stream.js';
import { AlpacaHistory } from './alpaca-history.js';
import { AlpacaHttp } from './alpaca-http.js';
import { AlpacaQuotes } from './alpaca-quote.js';
import {
  alpacaCryptoStreamProtocol,
  alpacaStreamProtocol,
} from './alpaca-stream-protocol.js';
import { toAlpacaSymbol, type AlpacaSymbol } from './alpaca-symbols.js';
import { FeedAccess, type AlpacaFeed } from './feed-access.js';

export interface AlpacaSourceOptions {
  /** Stock feed to read (ALPACA_FEED): `iex` on the free plan, `sip` with a paid one. */
  feed: AlpacaFeed;
}

/**
 * Alpaca's market data API: US stocks on the IEX or SIP feed, and crypto
 * pairs. Quotes come from snapshots and history from bars; the API has no
 * company profiles or symbol search. Indices and currency pairs are not
 * served. When the key and secret are set, stock trades stream from
 * `/v2/{feed}` and crypto trades and quotes from `/v1beta3/crypto/us`, each
 * connection opening at the first subscription of its kind.
 */
export class AlpacaSource extends UpstreamSource implements MarketDataSource {
  readonly id = 'alpaca';
  readonly name = 'Alpaca Market Data';
  readonly capabilities: ReadonlySet<Capability>;

  private readonly http: AlpacaHttp;
  private readonly quotes: AlpacaQuotes;
  private readonly history: AlpacaHistory;

  constructor(
    context: UpstreamContext,
    options: AlpacaSourceOptions = { feed: 'iex' },
  ) {
    super(context);
    const access = new FeedAccess(options.feed);
    this.http = new AlpacaHttp(context);
    this.quotes = new AlpacaQuotes(this.http, access, context);
    this.history = new AlpacaHistory(this.http, access, context);
    const { streamUrl, key, secret } = context.settings;
    if (streamUrl && key && secret)
      this.stream = this.openStreams(streamUrl, options.feed, key, secret);
    this.capabilities = new Set<Capability>([
      'quote',
      'history',
      ...(this.stream ? (['stream'] as const) : []),
    ]);
  }

  async getQuote(instrument: Instrument): Promise<Quote> {
    return await this.quotes.fetch(instrument, this.symbolOf(instrument));
  }

  async getHistory(query: HistoryQuery): Promise<HistoryResult> {
    return await this.history.fetch(query, this.symbolOf(query.instrument));
  }

  /** Opens one tick stream over the stocks and the crypto connection. */
  private openStreams(
    streamUrl: string,
    feed: AlpacaFeed,
    key: string,
    secret: string,
  ): RoutedTickStream {
    // NOTE: whether Alpaca lets one key hold the stocks and the crypto
    // connection at once is not confirmed. If it rejects one with error
    // 406, that connection keeps retrying with backoff.
    return new RoutedTickStream({
      source: this.id,
      logger: this.context.logger,
      routes: [
        {
          name: 'stocks',
          assetClasses: ['equity'],
          stream: this.openStream(
            alpacaStreamProtocol(streamUrl, feed, key, secret),
          ),
        },
        {
          name: 'crypto',
          assetClasses: ['crypto'],
          stream: this.openStream(
            alpacaCryptoStreamProtocol(streamUrl, key, secret),
          ),
        },
      ],
    });
  }

  /** Returns the Alpaca symbol, or throws SYMBOL_NOT_FOUND without a call. */
  private symbolOf(instrument: Instrument): AlpacaSymbol {
    const symbol = toAlpacaSymbol(instrument);
    if (symbol === null) {
      throw this.http.error(
        'SYMBOL_NOT_FOUND',
        `alpaca does not serve ${instrument.symbol}; it covers US stocks and crypto pairs, not indices, currency pairs or listings outside the US.`,
        instrument.symbol,
      );
    }

    return symbol;
  }
}
