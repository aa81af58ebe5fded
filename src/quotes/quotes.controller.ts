import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { FAST_HIT_ROUTE } from '../cache/hit-fast-path.service.js';
import { jsonBody } from '../common/json-body.js';
import { RequestContextParam } from '../common/request-context.decorator.js';
import type { RequestContext } from '../common/request-deadline.js';
import { parseSymbol } from '../market/symbol.js';
import {
  batchQuotesQuerySchema,
  type BatchQuotesQueryDto,
} from './dto/batch-quotes-query.dto.js';
import { batchQuotesResponse, quoteResponse } from './dto/responses.dto.js';
import { noQuerySchema } from './dto/search-query.dto.js';
import { ApiProblems, ApiSymbolParam, CACHE_HEADERS } from './openapi.js';
import { QuotesService } from './quotes.service.js';
import { quoteJson } from './serializers.js';

@ApiTags('quotes')
@Controller('api/quotes')
export class QuotesController {
  constructor(private readonly quotes: QuotesService) {}

  @Get()
  @ApiOperation({
    summary: 'Quotes for several symbols',
    description:
      'Each symbol is answered on its own: one that fails is listed under `errors` and the others are still quoted.',
  })
  @ApiOkResponse({
    standardSchema: batchQuotesResponse,
    headers: CACHE_HEADERS,
    description:
      'Quotes of the symbols that could be served, and an error entry for each of the others.',
  })
  @ApiProblems('INVALID_PARAMETER')
  async batch(
    @Query({ schema: batchQuotesQuerySchema }) query: BatchQuotesQueryDto,
    @RequestContextParam() context: RequestContext,
  ) {
    const { quotes, errors } = await this.quotes.batch(query.symbols, context);

    return { quotes: quotes.map(quoteJson), errors };
  }

  @Get(':symbol')
  @RouteConfig(FAST_HIT_ROUTE)
  @ApiOperation({
    summary: 'Latest quote of any symbol',
    description:
      'The asset class is read from the symbol: `^` marks an index, two currency codes a pair.',
  })
  @ApiSymbolParam(
    'symbol',
    ['AAPL', 'BRK.B', '^GSPC', 'BTC-USD', 'EURUSD'],
    'Symbol in any accepted spelling; `BRK-B` and `brk.b` both mean BRK.B.',
  )
  @ApiOkResponse({
    standardSchema: quoteResponse,
    headers: CACHE_HEADERS,
    description: 'The latest quote, naming the source that served it.',
  })
  @ApiProblems(
    'INVALID_PARAMETER',
    'SYMBOL_NOT_FOUND',
    'DATA_NOT_AVAILABLE',
    'UPSTREAM_UNAVAILABLE',
    'UPSTREAM_MALFORMED',
  )
  async quote(
    @Param('symbol') symbol: string,
    @Query({ schema: noQuerySchema }) _query: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
    @RequestContextParam() context: RequestContext,
  ) {
    const quote = await this.quotes.quote(parseSymbol(symbol), context);

    return jsonBody(reply, quote, quoteJson);
  }
}
