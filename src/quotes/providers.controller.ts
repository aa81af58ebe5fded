import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SourceRegistry } from '../providers/source-registry.service.js';
import { providersResponse } from './dto/responses.dto.js';
import { noQuerySchema } from './dto/search-query.dto.js';
import { ApiProblems } from './openapi.js';

@ApiTags('providers')
@Controller('api/providers')
export class ProvidersController {
  constructor(private readonly registry: SourceRegistry) {}

  @Get()
  @ApiOperation({
    summary: 'Configured sources, their capabilities, state and order',
  })
  @ApiOkResponse({
    standardSchema: providersResponse,
    description:
      'Every configured source and the order each capability tries them in.',
  })
  @ApiProblems('INVALID_PARAMETER')
  async list(@Query({ schema: noQuerySchema }) _query: unknown) {
    return {
      providers: await this.registry.reports(),
      order: this.registry.order(),
    };
  }
}
