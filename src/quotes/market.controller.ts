import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { MarketStatusService } from '../market/market-status.service.js';
import { marketStatusResponse } from './dto/responses.dto.js';
import { noQuerySchema } from './dto/search-query.dto.js';
import { ApiProblems } from './openapi.js';

@ApiTags('market')
@Controller('api/market')
export class MarketController {
  constructor(private readonly marketStatus: MarketStatusService) {}

  @Get('status')
  @ApiOperation({
    summary: 'Open or closed, per market',
    description:
      'NYSE and Nasdaq from the exchange calendar in America/New_York (holidays, early closes, daylight saving), forex from Sunday 17:00 to Friday 17:00 New York, crypto always open. Computed locally.',
  })
  @ApiOkResponse({
    standardSchema: marketStatusResponse,
    description: 'One entry per market.',
  })
  @ApiProblems('INVALID_PARAMETER')
  status(@Query({ schema: noQuerySchema }) _query: unknown) {
    return this.marketStatus.status();
  }
}
