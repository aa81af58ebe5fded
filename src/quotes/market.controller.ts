import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AppConfig } from '../config/app-config.js';
import {
  type MarketStatus,
  MarketStatusService,
} from '../market/market-status.service.js';
import { marketStatusResponse } from './dto/responses.dto.js';
import { noQuerySchema } from './dto/search-query.dto.js';
import { ApiProblems } from './openapi.js';

@ApiTags('market')
@Controller('api/market')
export class MarketController {
  constructor(
    private readonly marketStatus: MarketStatusService,
    private readonly config: AppConfig,
  ) {}

  @Get('status')
  @ApiOperation({
    summary: 'Open or closed, per market',
    description:
      'NYSE and Nasdaq from the exchange calendar in America/New_York (holidays, early closes, daylight saving), forex from Sunday 17:00 to Friday 17:00 New York, crypto always open. Computed locally; clients may keep it for CACHE_TTL_MARKET_STATUS, never past the next open or close.',
  })
  @ApiOkResponse({
    standardSchema: marketStatusResponse,
    description: 'One entry per market.',
  })
  @ApiProblems('INVALID_PARAMETER')
  status(
    @Query({ schema: noQuerySchema }) _query: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const status = this.marketStatus.status();
    void reply.header(
      'cache-control',
      `public, max-age=${this.maxAge(status)}`,
    );

    return status;
  }

  /**
   * Seconds a client may keep the status: the configured lifetime, cut at
   * the next open or close of any market, when the answer changes.
   */
  private maxAge(status: MarketStatus): number {
    const now = Date.parse(status.asOf);
    const transitions = status.markets
      .flatMap((market) => [market.nextOpen, market.nextClose])
      .filter((time): time is string => time !== null)
      .map((time) => Date.parse(time) - now);
    const untilChange = Math.min(
      this.config.cache.ttlMs.marketStatus,
      ...transitions,
    );

    return Math.max(0, Math.floor(untilChange / 1000));
  }
}
