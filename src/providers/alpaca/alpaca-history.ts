import { timeZoneOf } from '../../market/exchange-zones.js';
import { isDaily } from '../../market/interval.js';
import type { HistoryQuery, HistoryResult } from '../market-data-source.js';
import type { UpstreamContext } from '../upstream/upstream-source.js';
import { isRecentSipDenial } from './alpaca-errors.js';
import type { AlpacaHttp } from './alpaca-http.js';
import {
  cryptoBarsSchema,
  stockBarsSchema,
  type AlpacaBar,
} from './alpaca-schemas.js';
import type { AlpacaSymbol } from './alpaca-symbols.js';
import { collectBarPages, type BarPage } from './bar-pages.js';
import { barsRequest, barWindow, type BarWindow } from './bar-request.js';
import { describeDrops, normalizeBars } from './bar-rows.js';
import type { FeedAccess } from './feed-access.js';

/**
 * Reads history from Alpaca's bars endpoints, `/v2/stocks/{symbol}/bars`
 * and `/v1beta3/crypto/us/bars`, following `next_page_token` until the
 * query has enough bars.
 */
export class AlpacaHistory {
  constructor(
    private readonly http: AlpacaHttp,
    private readonly access: FeedAccess,
    private readonly context: UpstreamContext,
  ) {}

  async fetch(
    query: HistoryQuery,
    symbol: AlpacaSymbol,
  ): Promise<HistoryResult> {
    const now = this.context.clock.now();
    const rows = await this.rowsWithinPlan(query, symbol, now);
    const { bars, dropped } = normalizeBars(rows, query, now);
    this.reportDrops(query.instrument.symbol, describeDrops(dropped));
    if (bars.length === 0) {
      // NOTE: Alpaca returns empty bars for a symbol it does not list, the
      // same body as for a range without trades, so both end here.
      throw this.http.error(
        'DATA_NOT_AVAILABLE',
        `alpaca has no ${query.interval} bars for ${query.instrument.symbol} ${rangeText(query)}.`,
        query.instrument.symbol,
      );
    }
    const forward = query.start !== null;
    const stocks = symbol.market === 'stocks';

    return {
      bars: forward ? bars.slice(0, query.limit) : bars.slice(-query.limit),
      // TODO: splits and dividends from Alpaca's corporate actions endpoint,
      // at the cost of one more call per request.
      events: [],
      adjustment: stocks && query.adjusted ? 'split+dividend' : 'raw',
      timeZone: timeZoneOf(query.instrument),
      asOf: now,
    };
  }

  /**
   * Reads the rows of the query's window, ending no later than the plan
   * allows. A SIP request rejected for its recent end is sent once more
   * with `end` 16 minutes ago, which later requests then use from the start.
   */
  private async rowsWithinPlan(
    query: HistoryQuery,
    symbol: AlpacaSymbol,
    now: number,
  ): Promise<AlpacaBar[]> {
    const window = barWindow(query);
    const allowed = (): BarWindow => ({
      ...window,
      end: Math.min(window.end, this.access.servableEnd(now)),
    });
    const first = allowed();
    try {
      return await this.rows(query, symbol, first);
    } catch (error) {
      const sip = symbol.market === 'stocks' && this.access.feed === 'sip';
      if (!sip || !isRecentSipDenial(error)) throw error;
      if (this.access.recordRecentSipDenial()) {
        this.context.logger.warn(
          `alpaca ${query.instrument.symbol}: PLAN_NOT_PERMITTED for SIP bars of the last 15 minutes; history now ends 16 minutes ago and quotes come from the IEX feed`,
        );
      }
      const clamped = allowed();
      if (clamped.end >= first.end) throw error;

      return this.rows(query, symbol, clamped);
    }
  }

  private async rows(
    query: HistoryQuery,
    symbol: AlpacaSymbol,
    window: BarWindow,
  ): Promise<AlpacaBar[]> {
    const canonical = query.instrument.symbol;
    const now = this.context.clock.now();
    if (window.end < window.start) throw this.emptyWindow(query, window, now);

    return collectBarPages({
      fetch: (pageToken) => this.page(query, symbol, window, pageToken),
      enough: (rows) =>
        normalizeBars(rows, query, now).bars.length >= query.limit,
      fail: (detail) =>
        this.http.error('UPSTREAM_MALFORMED', detail, canonical),
    });
  }

  private async page(
    query: HistoryQuery,
    symbol: AlpacaSymbol,
    window: BarWindow,
    pageToken: string | undefined,
  ): Promise<BarPage> {
    const request = barsRequest(symbol, query, window, {
      feed: this.access.feed,
      pageToken,
    });
    const canonical = query.instrument.symbol;
    if (symbol.market === 'crypto') {
      const body = await this.http.get(
        request.path,
        request.query,
        canonical,
        cryptoBarsSchema,
      );
      return {
        rows: body.bars?.[symbol.symbol] ?? [],
        nextPageToken: body.next_page_token ?? null,
      };
    }
    const body = await this.http.get(
      request.path,
      request.query,
      canonical,
      stockBarsSchema,
    );

    return {
      rows: body.bars ?? [],
      nextPageToken: body.next_page_token ?? null,
    };
  }

  /**
   * Builds the error for a window that ends before it starts once its end
   * was clamped: a range after now, or within the 15 minutes a plan
   * withholds.
   */
  private emptyWindow(query: HistoryQuery, window: BarWindow, now: number) {
    const symbol = query.instrument.symbol;
    if (this.access.sipDelayed && window.start <= now) {
      return this.http.error(
        'PLAN_NOT_PERMITTED',
        `The alpaca plan of this key serves SIP bars only up to 15 minutes ago, and the requested range of ${symbol} starts later; set ALPACA_FEED=iex for recent bars.`,
        symbol,
      );
    }

    return this.http.error(
      'DATA_NOT_AVAILABLE',
      `alpaca has no ${query.interval} bars for ${symbol} ${rangeText(query)}, which starts in the future.`,
      symbol,
    );
  }

  /** Logs dropped rows in one line: a warning for bad rows, debug when only rows outside the window went. */
  private reportDrops(
    symbol: string,
    drops: ReturnType<typeof describeDrops>,
  ): void {
    const total = drops.bad + drops.outside;
    if (total === 0) return;
    const rows = total === 1 ? 'bar row' : 'bar rows';
    const line = `alpaca ${symbol}: dropped ${total} ${rows} (${drops.text})`;
    if (drops.bad > 0) this.context.logger.warn(line);
    else this.context.logger.debug(line);
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
