import { UsEquityCalendar } from '../../market/exchange-calendar.js';
import { isDaily } from '../../market/interval.js';
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
import { DataLinkHttp } from './data-link-http.js';
import {
  datatablePageSchema,
  type DatatablePage,
} from './data-link-schemas.js';
import { collectPages } from './datatable-pages.js';
import { buildHistory, type WikiHistory } from './wiki-history.js';
import {
  missingColumns,
  readPage,
  requestedColumns,
  type WikiRow,
} from './wiki-rows.js';
import { toWikiTickers } from './wiki-symbols.js';
import { WIKI_COVERAGE, dailyWindow, type DailyWindow } from './wiki-window.js';

/** The WIKI prices table, end-of-day prices of US stocks until 2018-03-27. */
const WIKI_PRICES = '/datatables/WIKI/PRICES.json';
/**
 * Rows per page requested.
 * NOTE: 10,000 is the page size public clients of the tables API ask for;
 * Nasdaq's documentation seen here does not state the maximum.
 */
const PAGE_ROWS = 10_000;

/**
 * Nasdaq Data Link, formerly Quandl. It serves history of US stocks from
 * the WIKI prices table, a community feed that stopped updating on
 * 2018-03-27: ranges after that date are not available without a call,
 * and every result states the table's coverage.
 *
 * The tables API (`/datatables/WIKI/PRICES.json`) is used rather than the
 * legacy time-series API (`/datasets/WIKI/{ticker}`). It filters by ticker
 * and date on the server, returns only the requested columns, and pages
 * with a cursor. Its rows carry raw and adjusted prices, dividends and
 * splits, so one request serves either adjustment with its events. The
 * time-series API is the older of the two and returns every column.
 */
export class NasdaqDataLinkSource
  extends UpstreamSource
  implements MarketDataSource
{
  readonly id = 'nasdaq_data_link';
  readonly name = 'Nasdaq Data Link (WIKI prices)';
  readonly capabilities: ReadonlySet<Capability> = new Set<Capability>([
    'history',
  ]);

  private readonly http: DataLinkHttp;
  private readonly calendar = new UsEquityCalendar();

  constructor(context: UpstreamContext) {
    super(context);
    this.http = new DataLinkHttp(context);
  }

  async getHistory(query: HistoryQuery): Promise<HistoryResult> {
    const { instrument } = query;
    const tickers = this.tickersOf(instrument);
    const window = this.windowOf(query);
    const pages = await this.readPages(tickers, window, query);
    const history = this.build(pages, tickers, window, query);
    this.report(instrument.symbol, history);
    if (history.result.bars.length > 0) return history.result;
    if (
      history.rowsInWindow === 0 &&
      !(await this.lists(tickers, instrument))
    ) {
      throw this.http.error(
        'SYMBOL_NOT_FOUND',
        `The nasdaq_data_link WIKI prices table has no ticker ${tickers.join(' or ')}, so it does not know ${instrument.symbol}.`,
        instrument.symbol,
      );
    }

    throw this.http.error(
      'DATA_NOT_AVAILABLE',
      `The nasdaq_data_link WIKI prices table has no ${query.interval} bars for ${instrument.symbol} from ${window.gte} to ${window.lte}; it holds data up to ${WIKI_COVERAGE.to}.`,
      instrument.symbol,
    );
  }

  private async readPages(
    tickers: string[],
    window: DailyWindow,
    query: HistoryQuery,
  ): Promise<DatatablePage[]> {
    const symbol = query.instrument.symbol;
    const filters = {
      ticker: tickers.join(','),
      'date.gte': window.gte,
      'date.lte': window.lte,
      'qopts.columns': requestedColumns(query.adjusted).join(','),
      'qopts.per_page': PAGE_ROWS,
    };
    const page = (cursor?: string) =>
      this.http.get(
        WIKI_PRICES,
        { ...filters, 'qopts.cursor_id': cursor },
        symbol,
        datatablePageSchema,
      );

    return collectPages({
      first: () => page(),
      next: (cursor) => page(cursor),
      fail: (detail) => this.http.error('UPSTREAM_MALFORMED', detail, symbol),
    });
  }

  private build(
    pages: DatatablePage[],
    tickers: string[],
    window: DailyWindow,
    query: HistoryQuery,
  ): WikiHistory {
    const symbol = query.instrument.symbol;
    const rows: WikiRow[] = [];
    let undated = 0;
    for (const page of pages) {
      const missing = missingColumns(page, query.adjusted);
      // An empty page of an unknown ticker still lists every column.
      if (missing.length > 0) {
        throw this.http.error(
          'UPSTREAM_MALFORMED',
          `nasdaq_data_link sent WIKI prices without the columns ${missing.join(', ')}.`,
          symbol,
        );
      }
      const read = readPage(page, query.adjusted);
      rows.push(...read.rows);
      undated += read.undated;
    }

    return buildHistory({
      rows,
      undated,
      query,
      window,
      tickers,
      calendar: this.calendar,
      now: this.context.clock.now(),
    });
  }

  /**
   * Tells whether the table lists the ticker at all, by asking for one row
   * of it at any date. The table returns an empty page, not an error, for
   * an unknown ticker, so only this tells an unknown ticker from a range
   * without rows.
   */
  private async lists(
    tickers: string[],
    instrument: Instrument,
  ): Promise<boolean> {
    const page = await this.http.get(
      WIKI_PRICES,
      {
        ticker: tickers.join(','),
        'qopts.columns': 'ticker',
        'qopts.per_page': 1,
      },
      instrument.symbol,
      datatablePageSchema,
    );

    return page.datatable.data.length > 0;
  }

  /** Returns the WIKI spellings of a US stock, or throws SYMBOL_NOT_FOUND without a call. */
  private tickersOf(instrument: Instrument): string[] {
    const tickers = toWikiTickers(instrument);
    if (tickers) return tickers;

    throw this.http.error(
      'SYMBOL_NOT_FOUND',
      `nasdaq_data_link serves US stocks from the WIKI prices table only, so it does not list ${instrument.symbol}.`,
      instrument.symbol,
    );
  }

  /**
   * Returns the daily rows to request, or throws DATA_NOT_AVAILABLE without
   * a call for intraday intervals and for ranges after the table ends.
   */
  private windowOf(query: HistoryQuery): DailyWindow {
    const { symbol } = query.instrument;
    if (!isDaily(query.interval)) {
      throw this.http.error(
        'DATA_NOT_AVAILABLE',
        `nasdaq_data_link has daily WIKI prices only, so it has no ${query.interval} bars for ${symbol}.`,
        symbol,
      );
    }
    const window = dailyWindow(query);
    if (window) return window;

    throw this.http.error(
      'DATA_NOT_AVAILABLE',
      `The nasdaq_data_link WIKI prices table stopped updating and ends on ${WIKI_COVERAGE.to}, so it has no bars for ${symbol} after that date.`,
      symbol,
    );
  }

  /**
   * Logs the rows left out in one line: a warning for bad rows, debug when
   * only rows outside the requested dates were dropped.
   */
  private report(symbol: string, { dropped }: WikiHistory): void {
    const bad = dropped.invalid + dropped.duplicate + dropped.foreign;
    const total = bad + dropped.outside;
    if (total === 0) return;
    const line = `nasdaq_data_link ${symbol}: dropped ${total} WIKI rows (${dropped.invalid} without valid prices or date, ${dropped.duplicate} with a repeated date, ${dropped.outside} outside the requested dates, ${dropped.foreign} of another ticker)`;
    if (bad > 0) this.context.logger.warn(line);
    else this.context.logger.debug(line);
  }
}
