import { Controller, Get, Param, Query, Res, type Type } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { RequestContextParam } from '../common/request-context.decorator.js';
import type { RequestContext } from '../common/request-deadline.js';
import { parseSymbol, type SymbolContext } from '../market/symbol.js';
import {
  historyQuerySchema,
  type HistoryQueryDto,
} from './dto/history-query.dto.js';
import {
  historyResponse,
  infoResponse,
  profileResponse,
  summaryResponse,
} from './dto/responses.dto.js';
import { noQuerySchema } from './dto/search-query.dto.js';
import { HistoryService } from './history.service.js';
import { InstrumentsService } from './instruments.service.js';
import { ApiProblems, ApiSymbolParam, CACHE_HEADERS } from './openapi.js';
import {
  historyCsv,
  historyJson,
  profileJson,
  quoteJson,
} from './serializers.js';

interface AssetRoute {
  /** Path below /api, e.g. `stocks`. */
  path: string;
  /** Name of the path parameter, e.g. `symbol` or `pair`. */
  param: string;
  context: SymbolContext;
  noun: string;
  examples: string[];
  description: string;
}

const LOOKUP_PROBLEMS = [
  'INVALID_PARAMETER',
  'SYMBOL_NOT_FOUND',
  'DATA_NOT_AVAILABLE',
  'UPSTREAM_UNAVAILABLE',
  'UPSTREAM_MALFORMED',
] as const;

/**
 * Builds the controller of one asset class: summary, history, info and
 * profile under `/api/<path>/{param}`. The route decides how the symbol is
 * read, so `/api/stocks/EURUSD` is a ticker and `/api/forex/EURUSD` a pair.
 */
function assetController(route: AssetRoute): Type<unknown> {
  const { param, context, noun } = route;
  const read = (text: string) =>
    parseSymbol(text, { context, parameter: param });

  @ApiTags(route.path)
  @Controller(`api/${route.path}`)
  @ApiSymbolParam(param, route.examples, route.description)
  class AssetController {
    constructor(
      readonly instruments: InstrumentsService,
      readonly histories: HistoryService,
    ) {}

    @Get(`:${param}`)
    @ApiOperation({ summary: `Quote and profile summary of a ${noun}` })
    @ApiOkResponse({
      standardSchema: summaryResponse,
      headers: CACHE_HEADERS,
      description: 'The latest quote and a short profile.',
    })
    @ApiProblems(...LOOKUP_PROBLEMS)
    async summary(
      @Param(param) text: string,
      @Query({ schema: noQuerySchema }) _query: unknown,
      @RequestContextParam() served: RequestContext,
    ) {
      const summary = await this.instruments.summary(read(text), served);

      return { ...summary, quote: quoteJson(summary.quote) };
    }

    @Get(`:${param}/history`)
    @ApiOperation({
      summary: `OHLCV history of a ${noun}`,
      description:
        'Bars in ascending order. Daily and longer bars carry `date`, the trading day in `timeZone`; intraday bars carry `time`, their start in UTC. ' +
        'With `from`, pages run forward from it; without, the latest `limit` bars up to `to` are returned and `next` pages back. ' +
        'Repeat a request with `If-None-Match` set to its `ETag` to get 304 when nothing changed.',
    })
    @ApiProduces('application/json', 'text/csv')
    @ApiResponse({
      status: 304,
      description:
        'Not modified: the `If-None-Match` header matched the `ETag` of the current body.',
    })
    @ApiOkResponse({
      standardSchema: historyResponse,
      headers: CACHE_HEADERS,
      description:
        'Bars in ascending order, as JSON or, with format=csv, as CSV with a header row.',
    })
    @ApiProblems(...LOOKUP_PROBLEMS)
    async history(
      @Param(param) text: string,
      @Query({ schema: historyQuerySchema }) query: HistoryQueryDto,
      @Res({ passthrough: true }) reply: FastifyReply,
      @RequestContextParam() served: RequestContext,
    ) {
      const instrument = read(text);
      const series = await this.histories.history(instrument, query, served);
      if (series.next) {
        void reply.header('link', nextPageLink(reply.request.url, series.next));
      }
      if (query.format === 'json') return historyJson(series);

      void reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header(
          'content-disposition',
          `attachment; filename="${series.symbol}_${series.interval}.csv"`,
        );
      return historyCsv(series);
    }

    @Get(`:${param}/info`)
    @ApiOperation({
      summary: `Market, trading hours, coverage and sources of a ${noun}`,
    })
    @ApiOkResponse({
      standardSchema: infoResponse,
      headers: CACHE_HEADERS,
      description:
        'Market, trading hours, coverage and the sources that serve the instrument.',
    })
    @ApiProblems(...LOOKUP_PROBLEMS)
    info(
      @Param(param) text: string,
      @Query({ schema: noQuerySchema }) _query: unknown,
      @RequestContextParam() served: RequestContext,
    ) {
      return this.instruments.info(read(text), served);
    }

    @Get(`:${param}/profile`)
    @ApiOperation({ summary: `Profile of a ${noun}` })
    @ApiOkResponse({
      standardSchema: profileResponse,
      headers: CACHE_HEADERS,
      description:
        'What the first source with a profile contains about the instrument.',
    })
    @ApiProblems(...LOOKUP_PROBLEMS)
    async profile(
      @Param(param) text: string,
      @Query({ schema: noQuerySchema }) _query: unknown,
      @RequestContextParam() served: RequestContext,
    ) {
      return profileJson(await this.instruments.profile(read(text), served));
    }
  }

  Object.defineProperty(AssetController, 'name', {
    value: `${capitalize(route.path)}Controller`,
  });
  return AssetController;
}

/** A `Link` header (RFC 8288) to the next page: the same request with the new cursor. */
function nextPageLink(url: string, cursor: string): string {
  const next = new URL(url, 'http://localhost');
  next.searchParams.set('cursor', cursor);

  return `<${next.pathname}${next.search}>; rel="next"`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export const StocksController = assetController({
  path: 'stocks',
  param: 'symbol',
  context: 'equity',
  noun: 'stock or index',
  examples: ['AAPL', 'BRK.B', 'BRK-B', '^GSPC'],
  description:
    'Ticker, with a share class after a dot or hyphen (BRK.B, BRK-B), or an index with a caret (^GSPC).',
});

export const CryptoController = assetController({
  path: 'crypto',
  param: 'symbol',
  context: 'crypto',
  noun: 'crypto pair',
  examples: ['BTC-USD', 'BTCUSDT', 'ETH'],
  description:
    'Pair as BASE-QUOTE or run together (BTC-USD, BTCUSDT); a bare code such as BTC means BTC-USD.',
});

export const ForexController = assetController({
  path: 'forex',
  param: 'pair',
  context: 'forex',
  noun: 'currency pair',
  examples: ['EUR-USD', 'EURUSD', 'USD-JPY'],
  description: 'Currency pair as BASE-QUOTE or six letters (EUR-USD, EURUSD).',
});
