import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequestContextParam } from '../common/request-context.decorator.js';
import type { RequestContext } from '../common/request-deadline.js';
import { symbolsResponse } from './dto/responses.dto.js';
import {
  searchQuerySchema,
  type SearchQueryDto,
} from './dto/search-query.dto.js';
import { InstrumentsService } from './instruments.service.js';
import { ApiProblems, CACHE_HEADERS } from './openapi.js';

@ApiTags('symbols')
@Controller('api/symbols')
export class SymbolsController {
  constructor(private readonly instruments: InstrumentsService) {}

  @Get()
  @ApiOperation({ summary: 'Search the symbols the configured sources know' })
  @ApiOkResponse({
    standardSchema: symbolsResponse,
    headers: CACHE_HEADERS,
    description: 'Matches, symbol prefixes first.',
  })
  @ApiProblems('INVALID_PARAMETER')
  async search(
    @Query({ schema: searchQuerySchema }) query: SearchQueryDto,
    @RequestContextParam() context: RequestContext,
  ) {
    const { results, errors } = await this.instruments.search(
      query.query,
      query.limit,
      context,
    );

    return { query: query.query, results, errors };
  }
}
