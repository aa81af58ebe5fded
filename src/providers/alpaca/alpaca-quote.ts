import { UsEquityCalendar } from '../../market/exchange-calendar.js';
import type { Quote } from '../../market/quote.js';
import type { Instrument } from '../../market/symbol.js';
import { UpstreamError } from '../upstream/upstream.errors.js';
import type { UpstreamContext } from '../upstream/upstream-source.js';
import { isRecentSipDenial } from './alpaca-errors.js';
import type { AlpacaHttp } from './alpaca-http.js';
import {
  cryptoLatestQuotesSchema,
  cryptoSnapshotsSchema,
  latestQuoteSchema,
  latestTradeSchema,
  stockSnapshotSchema,
  type AlpacaSnapshot,
} from './alpaca-schemas.js';
import type { AlpacaSymbol } from './alpaca-symbols.js';
import type { AlpacaFeed, FeedAccess } from './feed-access.js';
import {
  dropContradictions,
  isEmptySnapshot,
  quoteFromSnapshot,
} from './quote-building.js';

/**
 * Reads quotes from Alpaca snapshots: `/v2/stocks/{symbol}/snapshot` for
 * stocks and `/v1beta3/crypto/us/snapshots` for crypto. A snapshot without
 * its latest trade or quote is completed from the latest-trade and
 * latest-quote endpoints, which cost one call each.
 */
export class AlpacaQuotes {
  private readonly calendar = new UsEquityCalendar();

  constructor(
    private readonly http: AlpacaHttp,
    private readonly access: FeedAccess,
    private readonly context: UpstreamContext,
  ) {}

  async fetch(instrument: Instrument, symbol: AlpacaSymbol): Promise<Quote> {
    const snapshot =
      symbol.market === 'crypto'
        ? await this.cryptoSnapshot(instrument, symbol.symbol)
        : await this.stockSnapshot(instrument, symbol.symbol);
    const input = {
      instrument,
      now: this.context.clock.now(),
      calendar: this.calendar,
    };
    const quote = quoteFromSnapshot(input, snapshot);
    if (!quote) {
      throw this.http.error(
        'DATA_NOT_AVAILABLE',
        `alpaca has no recent trade or bar of ${instrument.symbol} to price it.`,
        instrument.symbol,
      );
    }

    return this.checked(quote);
  }

  /**
   * Reads a stock snapshot on the latest-data feed. A plan without SIP
   * latest data rejects it with 403, so the IEX feed is read instead, now
   * and for later quotes.
   */
  private async stockSnapshot(
    instrument: Instrument,
    symbol: string,
  ): Promise<AlpacaSnapshot> {
    const feed = this.access.latestFeed();
    try {
      return await this.stockSnapshotOn(instrument, symbol, feed);
    } catch (error) {
      if (feed !== 'sip' || !isRecentSipDenial(error)) throw error;
      if (this.access.recordRecentSipDenial()) {
        this.context.logger.warn(
          `alpaca ${instrument.symbol}: PLAN_NOT_PERMITTED for SIP latest data; quotes now come from the IEX feed and history ends 16 minutes ago`,
        );
      }

      return this.stockSnapshotOn(instrument, symbol, 'iex');
    }
  }

  private async stockSnapshotOn(
    instrument: Instrument,
    symbol: string,
    feed: AlpacaFeed,
  ): Promise<AlpacaSnapshot> {
    const base = `/v2/stocks/${encodeURIComponent(symbol)}`;
    const canonical = instrument.symbol;
    const snapshot = await this.http.get(
      `${base}/snapshot`,
      { feed },
      canonical,
      stockSnapshotSchema,
    );
    if (isEmptySnapshot(snapshot)) throw this.notFound(instrument);
    const [latestTrade, latestQuote] = await Promise.all([
      snapshot.latestTrade ??
        this.optional(canonical, 'latest trade', async () => {
          const body = await this.http.get(
            `${base}/trades/latest`,
            { feed },
            canonical,
            latestTradeSchema,
          );
          return body.trade ?? null;
        }),
      snapshot.latestQuote ??
        this.optional(canonical, 'latest quote', async () => {
          const body = await this.http.get(
            `${base}/quotes/latest`,
            { feed },
            canonical,
            latestQuoteSchema,
          );
          return body.quote ?? null;
        }),
    ]);

    return { ...snapshot, latestTrade, latestQuote };
  }

  private async cryptoSnapshot(
    instrument: Instrument,
    symbol: string,
  ): Promise<AlpacaSnapshot> {
    const canonical = instrument.symbol;
    const body = await this.http.get(
      '/v1beta3/crypto/us/snapshots',
      { symbols: symbol },
      canonical,
      cryptoSnapshotsSchema,
    );
    const snapshot = body.snapshots[symbol];
    if (!snapshot || isEmptySnapshot(snapshot)) {
      throw this.notFound(instrument);
    }
    const latestQuote =
      snapshot.latestQuote ??
      (await this.optional(canonical, 'latest quote', async () => {
        const quotes = await this.http.get(
          '/v1beta3/crypto/us/latest/quotes',
          { symbols: symbol },
          canonical,
          cryptoLatestQuotesSchema,
        );
        return quotes.quotes[symbol] ?? null;
      }));

    return { ...snapshot, latestQuote };
  }

  /**
   * Runs a call that completes a snapshot. Its failure is logged and read
   * as absent data, since the snapshot alone still prices the quote.
   */
  private async optional<T>(
    symbol: string,
    what: string,
    call: () => Promise<T | null>,
  ): Promise<T | null> {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof UpstreamError)) throw error;
      this.context.logger.warn(
        `alpaca ${symbol}: ${error.code} for the ${what}, which the snapshot lacked: ${error.detail}`,
      );

      return null;
    }
  }

  private checked(quote: Quote): Quote {
    const { quote: checked, dropped } = dropContradictions(quote);
    if (dropped.length > 0) {
      this.context.logger.warn(
        `alpaca ${quote.symbol}: dropped contradicting quote fields: ${dropped.join('; ')}`,
      );
    }

    return checked;
  }

  private notFound(instrument: Instrument): UpstreamError {
    return this.http.error(
      'SYMBOL_NOT_FOUND',
      `alpaca does not know ${instrument.symbol}.`,
      instrument.symbol,
    );
  }
}
