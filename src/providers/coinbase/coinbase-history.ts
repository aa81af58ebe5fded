import { isDaily } from '../../market/interval.js';
import type { HistoryQuery, HistoryResult } from '../market-data-source.js';
import type { UpstreamContext } from '../upstream/upstream-source.js';
import {
  barStart,
  candlePages,
  candlePlan,
  candleQuery,
  candleSpan,
  type CandlePlan,
  type CandleSpan,
} from './coinbase-candle-plan.js';
import {
  candleBars,
  type Candle,
  type DroppedRows,
} from './coinbase-candles.js';
import type { CoinbaseHttp } from './coinbase-http.js';
import { collectCandles } from './coinbase-pages.js';
import { candlesSchema } from './coinbase-schemas.js';

/**
 * Serves history from `/products/{product_id}/candles`. Coinbase returns at
 * most 300 candles per request, newest first, so a range is read page by
 * page, sorted and de-duplicated, and intervals Coinbase lacks are merged
 * from finer candles. Bars are dated in UTC and never adjusted.
 */
export class CandleHistory {
  constructor(
    private readonly http: CoinbaseHttp,
    private readonly context: UpstreamContext,
  ) {}

  async history(
    query: HistoryQuery,
    productId: string,
  ): Promise<HistoryResult> {
    const { symbol } = query.instrument;
    const plan = candlePlan(query.interval);
    const now = this.context.clock.now();
    const span = candleSpan(query, plan, now);
    const collected = span
      ? await this.collect(query, productId, plan, span)
      : { candles: [], dropped: { bad: 0, duplicate: 0, outside: 0 } };
    this.report(symbol, collected.dropped);
    const bars = candleBars(collected.candles, plan, query, now);
    if (bars.length === 0) {
      throw this.http.error(
        'DATA_NOT_AVAILABLE',
        `coinbase has no ${query.interval} candles for ${symbol} ${rangeText(query)}.`,
        symbol,
      );
    }

    return {
      bars,
      events: [],
      adjustment: 'raw',
      timeZone: 'UTC',
      asOf: now,
    };
  }

  private collect(
    query: HistoryQuery,
    productId: string,
    plan: CandlePlan,
    span: CandleSpan,
  ) {
    const { symbol } = query.instrument;
    const path = `/products/${encodeURIComponent(productId)}/candles`;
    const forward = query.start !== null;

    return collectCandles({
      pages: candlePages(span, plan, forward ? 'forward' : 'backward'),
      fetch: (page) =>
        this.http.get(path, candleQuery(page, plan), symbol, candlesSchema),
      // A span without a start already ends after `limit` bars.
      enough: (candles) =>
        forward && completeBars(candles, plan) >= query.limit,
      stopWhenEmpty: !forward && isDaily(plan.fetched),
      tooMany: (maxPages) =>
        this.http.error(
          'DATA_NOT_AVAILABLE',
          `coinbase would need more than ${maxPages} requests of 300 candles for ${query.interval} bars of ${symbol} ${rangeText(query)}; request a later from, a smaller limit or a coarser interval.`,
          symbol,
        ),
    });
  }

  /** Logs the rows left out in one line: a warning for bad or duplicate rows, else debug. */
  private report(symbol: string, dropped: DroppedRows): void {
    const total = dropped.bad + dropped.duplicate + dropped.outside;
    if (total === 0) return;
    const line = `coinbase ${symbol}: dropped ${total} candle rows (${dropped.bad} without usable prices, ${dropped.duplicate} duplicate, ${dropped.outside} outside the requested window)`;
    if (dropped.bad + dropped.duplicate > 0) this.context.logger.warn(line);
    else this.context.logger.debug(line);
  }
}

/**
 * Counts the bars of the target interval that the candles read so far
 * fill completely. Pages run forwards, so every bar but the last one
 * started is complete.
 */
function completeBars(candles: readonly Candle[], plan: CandlePlan): number {
  if (plan.fetched === plan.target) return candles.length;
  const starts = new Set(
    candles.map((candle) => barStart(candle.time, plan.target)),
  );

  return Math.max(0, starts.size - 1);
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
