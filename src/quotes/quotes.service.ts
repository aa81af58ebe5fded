import { Injectable, Logger } from '@nestjs/common';
import { ApiError } from '../common/api.errors.js';
import type { RequestContext } from '../common/request-deadline.js';
import type { Quote } from '../market/quote.js';
import { parseSymbol, type Instrument } from '../market/symbol.js';
import { cacheKey } from '../cache/cache-keys.js';
import { MarketCache } from '../cache/market-cache.service.js';
import { logForRequest } from '../observability/nest-logger.js';
import { FailoverService } from '../providers/failover.service.js';

export interface BatchError {
  symbol: string;
  code: string;
  detail: string;
}

/** Serves quote requests through the configured quote sources. */
@Injectable()
export class QuotesService {
  private readonly logger = new Logger(QuotesService.name);

  constructor(
    private readonly failover: FailoverService,
    private readonly cache: MarketCache,
  ) {}

  /** The quote of one instrument, from the cache or else the quote sources. */
  async quote(
    instrument: Instrument,
    context?: RequestContext,
  ): Promise<Quote> {
    const cached = await this.cache.get({
      context,
      kind: 'quote',
      key: cacheKey('quote', instrument.symbol, {
        asset: instrument.assetClass,
      }),
      load: () => this.load(instrument),
    });

    return cached.outcome === 'STALE'
      ? { ...cached.value, stale: true }
      : cached.value;
  }

  /**
   * Quotes several symbols at once. A symbol that cannot be parsed or quoted
   * is listed under `errors` with its code, and the others are still quoted.
   * Spellings of one symbol (`BRK-B`, `brk.b`) are quoted once.
   */
  async batch(
    symbols: readonly string[],
    context?: RequestContext,
  ): Promise<{ quotes: Quote[]; errors: BatchError[] }> {
    const errors: BatchError[] = [];
    const instruments = new Map<string, Instrument>();
    for (const text of symbols) {
      try {
        const instrument = parseSymbol(text, {
          allowSlash: true,
          parameter: 'symbols',
        });
        instruments.set(instrument.symbol, instrument);
      } catch (error) {
        errors.push(batchError(text, error));
      }
    }

    const unique = [...instruments.values()];
    const settled = await Promise.allSettled(
      unique.map((instrument) => this.quote(instrument, context)),
    );
    const quotes: Quote[] = [];
    settled.forEach((result, index) => {
      if (result.status === 'fulfilled') {
        quotes.push(result.value);
        return;
      }
      const symbol = unique[index]?.symbol ?? '';
      if (!(result.reason instanceof ApiError)) {
        logForRequest(context, () =>
          this.logger.error(
            `batch quote ${symbol} failed unexpectedly`,
            String(result.reason),
          ),
        );
      }
      errors.push(batchError(symbol, result.reason));
    });

    return { quotes, errors };
  }

  private async load(instrument: Instrument): Promise<Quote> {
    const answer = await this.failover.call(
      'quote',
      instrument.symbol,
      (source) => {
        if (!source.getQuote)
          throw new Error(`${source.id} lists quotes but has no getQuote`);
        return source.getQuote(instrument);
      },
    );

    return answer.value;
  }
}

function batchError(symbol: string, error: unknown): BatchError {
  if (error instanceof ApiError)
    return { symbol, code: error.code, detail: error.detail };

  return {
    symbol,
    code: 'INTERNAL_ERROR',
    detail: 'The quote failed unexpectedly.',
  };
}
