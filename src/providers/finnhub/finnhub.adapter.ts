import type { z } from 'zod';
import { UsEquityCalendar } from '../../market/exchange-calendar.js';
import type { Profile, SymbolMatch } from '../../market/profile.js';
import type { Quote } from '../../market/quote.js';
import type { Instrument } from '../../market/symbol.js';
import type { Capability, MarketDataSource } from '../market-data-source.js';
import { checkQuote } from '../polygon/quote-sanity.js';
import type {
  UpstreamRequest,
  UpstreamResponse,
} from '../upstream/upstream-http.client.js';
import {
  UpstreamSource,
  type UpstreamContext,
} from '../upstream/upstream-source.js';
import { readPayload, type Fail } from './finnhub-payload.js';
import {
  buildProfile,
  profilePayload,
  profileRequest,
} from './finnhub-profile.js';
import { buildQuote, quotePayload, quoteRequest } from './finnhub-quote.js';
import { finnhubStreamProtocol } from './finnhub-stream-protocol.js';
import {
  buildMatches,
  searchPayload,
  searchRequest,
} from './finnhub-search.js';
import { toFinnhubSymbol } from './finnhub-symbols.js';

/** Header that carries the API key, so the key never appears in a URL. */
const TOKEN_HEADER = 'x-finnhub-token';

/**
 * Finnhub's REST API: quotes from `/quote`, company profiles from
 * `/stock/profile2` and symbol search from `/search`. It serves US
 * listings only. Daily candles (`/stock/candle`) return 403 on the free
 * plan, so this source offers no history. Trades of US stocks, crypto and
 * forex stream from FINNHUB_STREAM_URL when the key is set.
 */
export class FinnhubSource extends UpstreamSource implements MarketDataSource {
  readonly id = 'finnhub';
  readonly name = 'Finnhub';
  readonly capabilities: ReadonlySet<Capability>;

  private readonly calendar = new UsEquityCalendar();

  constructor(context: UpstreamContext) {
    super(context);
    const { streamUrl, key } = context.settings;
    if (streamUrl && key)
      this.stream = this.openStream(finnhubStreamProtocol(streamUrl, key));
    this.capabilities = new Set<Capability>([
      'quote',
      'profile',
      'search',
      ...(this.stream ? (['stream'] as const) : []),
    ]);
  }

  async getQuote(instrument: Instrument): Promise<Quote> {
    const finnhubSymbol = this.symbolOf(instrument);
    const payload = await this.get(
      quoteRequest(finnhubSymbol, instrument.symbol),
      quotePayload,
      'quote',
    );
    const quote = buildQuote(payload, {
      instrument,
      now: this.context.clock.now(),
      calendar: this.calendar,
      fail: this.fail(instrument.symbol),
    });

    return this.checked(quote);
  }

  async getProfile(instrument: Instrument): Promise<Profile> {
    const finnhubSymbol = this.symbolOf(instrument);
    const payload = await this.get(
      profileRequest(finnhubSymbol, instrument.symbol),
      profilePayload,
      'company profile',
    );

    return buildProfile(
      payload,
      instrument,
      this.context.clock.now(),
      this.fail(instrument.symbol),
    );
  }

  async search(query: string, limit: number): Promise<SymbolMatch[]> {
    const payload = await this.get(
      searchRequest(query),
      searchPayload,
      'search result',
    );

    return buildMatches(payload, limit);
  }

  /** Sends one GET with the key header and reads the body into `schema`. */
  private get<T>(
    request: UpstreamRequest,
    schema: z.ZodType<T>,
    payloadName: string,
  ): Promise<T> {
    const key = this.context.settings.key;
    const headers: Record<string, string> = key ? { [TOKEN_HEADER]: key } : {};

    return this.context.client.call({ ...request, headers }, (response) =>
      readPayload(
        response,
        schema,
        payloadName,
        this.fail(request.symbol, response),
      ),
    );
  }

  /** Returns the Finnhub symbol, or throws SYMBOL_NOT_FOUND without a call. */
  private symbolOf(instrument: Instrument): string {
    const symbol = toFinnhubSymbol(instrument);
    if (symbol === null) {
      throw this.fail(instrument.symbol)(
        'SYMBOL_NOT_FOUND',
        `Finnhub is not asked for ${instrument.symbol}: this source covers US stocks only, not indices, crypto, currency pairs or listings outside the US.`,
      );
    }

    return symbol;
  }

  /** Sets contradicting fields to null and logs what was dropped. */
  private checked(quote: Quote): Quote {
    const { quote: checked, dropped } = checkQuote(quote);
    if (dropped.length > 0) {
      this.context.logger.warn(
        `finnhub ${quote.symbol}: dropped inconsistent quote fields: ${dropped.join('; ')}`,
      );
    }

    return checked;
  }

  /** Builds errors through the client, which scrubs the key from details. */
  private fail(symbol: string, response?: UpstreamResponse): Fail {
    return (code, detail) =>
      this.context.client.error(code, detail, symbol, {
        status: response?.status,
      });
  }
}
