import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { MarketCache } from '../cache/market-cache.service.js';
import { RedisService } from '../redis/redis.service.js';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly cache: MarketCache,
    private readonly redis: RedisService,
  ) {}

  @Get('live')
  @ApiOperation({
    summary: 'Answers while the process runs; checks nothing else',
  })
  @ApiOkResponse({ description: 'The process is alive.' })
  live() {
    return { status: 'ok' };
  }

  /**
   * Ready unless something local to this instance is wrong. Shared
   * dependencies are reported under `services` but never fail readiness:
   * when Redis goes down every replica would otherwise leave the load
   * balancer at once, while each can still serve from memory and upstream.
   */
  @Get('ready')
  @HealthCheck()
  @ApiOperation({
    summary:
      'Whether this instance takes traffic, and the state of what it depends on',
  })
  @ApiOkResponse({
    description: 'Ready; `services` names degraded dependencies.',
  })
  async ready() {
    // TODO: local checks (shutting down, event-loop lag, heap) as indicators.
    const result = await this.health.check([]);

    return { ...result, services: await this.services() };
  }

  /**
   * Reports the cache as degraded when its own Redis operations fail or the
   * ping fails. While every lookup is served from memory, only the ping
   * detects a Redis that stopped responding.
   */
  private async services() {
    const redis = await this.redisStatus();
    const cache = this.cache.state();
    const status = redis === 'down' ? 'degraded' : cache.status;

    return {
      redis: { status: redis },
      cache: { ...cache, status, counters: this.cache.stats.snapshot() },
    };
  }

  /** Pings Redis; a stopped or paused one is down within REDIS_COMMAND_TIMEOUT. */
  private async redisStatus(): Promise<'up' | 'down' | 'not configured'> {
    if (!this.redis.client) return 'not configured';

    return (await this.redis.ping()) ? 'up' : 'down';
  }
}
