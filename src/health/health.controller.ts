import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { getHeapStatistics } from 'node:v8';
import {
  Controller,
  Get,
  Res,
  ServiceUnavailableException,
} from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  type HealthCheckResult,
  type HealthIndicatorResult,
} from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { AppConfig } from '../config/app-config.js';
import { hitRate } from '../observability/scraped-metrics.js';
import { SubscriptionsService } from '../streaming/subscriptions.service.js';
import { DependencyReport } from './dependency-report.service.js';
import { ProcessStats } from './process-stats.service.js';
import { ShutdownState } from './shutdown.js';

/** Share of V8's heap size limit past which readiness fails when HEALTH_MAX_HEAP_MB is unset. */
const DEFAULT_HEAP_SHARE = 0.9;

const VERSION = packageVersion();

@ApiTags('health')
@Controller('health')
export class HealthController {
  private readonly maxHeapBytes: number;

  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly dependencies: DependencyReport,
    private readonly stats: ProcessStats,
    private readonly shutdown: ShutdownState,
    private readonly subscriptions: SubscriptionsService,
    private readonly config: AppConfig,
  ) {
    this.maxHeapBytes =
      config.health.maxHeapBytes ??
      Math.round(getHeapStatistics().heap_size_limit * DEFAULT_HEAP_SHARE);
  }

  @Get('live')
  @ApiOperation({
    summary: 'Answers while the process runs; checks nothing else',
  })
  @ApiOkResponse({ description: 'The process is alive.' })
  live() {
    return { status: 'ok' };
  }

  /**
   * Ready unless something local to this instance is wrong: it is shutting
   * down, or event-loop lag or heap use passed their limits. Shared
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
  @ApiServiceUnavailableResponse({
    description:
      'Shutting down, or event-loop lag or heap use past HEALTH_MAX_EVENT_LOOP_LAG_MS or HEALTH_MAX_HEAP_MB.',
  })
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    const [local, services] = await Promise.all([
      this.localChecks(reply),
      this.dependencies.services(),
    ]);

    return { ...local, services };
  }

  /** The overview operators read: local checks, dependencies and load figures. */
  @Get()
  @ApiOperation({
    summary:
      'Overview: status, version, every dependency and source, and load figures',
  })
  @ApiOkResponse({
    description:
      '`status` is ok, or degraded when a dependency or source is not up.',
  })
  @ApiServiceUnavailableResponse({
    description:
      'Not ready: `status` is down and `checks` names the failed check.',
  })
  async overview(@Res({ passthrough: true }) reply: FastifyReply) {
    const [local, services] = await Promise.all([
      this.localChecks(reply),
      this.dependencies.services(),
    ]);
    const figures = this.stats.current();
    const degraded =
      services.redis.status === 'down' ||
      services.cache.status !== 'up' ||
      Object.values(services.sources).some((source) => source.status !== 'up');
    let status = degraded ? 'degraded' : 'ok';
    if (local.status !== 'ok') status = 'down';

    return {
      status,
      timestamp: new Date().toISOString(),
      version: VERSION,
      checks: local.details,
      services,
      metrics: {
        cpu_percent: figures.cpuPercent,
        memory_percent: figures.memoryPercent,
        active_connections: this.subscriptions.connections.count,
        requests_per_minute: figures.requestsPerMinute,
        cache_hit_rate: roundRate(hitRate(services.cache.counters)),
      },
    };
  }

  /**
   * Runs the local checks through Terminus. A failed check turns the status
   * to 503 with Terminus's body, rather than an error response.
   */
  private async localChecks(reply: FastifyReply): Promise<HealthCheckResult> {
    try {
      return await this.health.check([
        () => this.shutdownCheck(),
        () => this.eventLoopCheck(),
        () => this.heapCheck(),
      ]);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      void reply.status(503);

      return error.getResponse() as HealthCheckResult;
    }
  }

  private shutdownCheck(): HealthIndicatorResult {
    const check = this.indicators.check('shutdown');
    const since = this.shutdown.since;

    return since === null
      ? check.up()
      : check.down({ since: new Date(since).toISOString() });
  }

  private eventLoopCheck(): HealthIndicatorResult {
    const check = this.indicators.check('event_loop');
    const lagMs = this.stats.current().eventLoopLagMs;
    const maxLagMs = this.config.health.maxEventLoopLagMs;

    return lagMs > maxLagMs
      ? check.down({ lagMs, maxLagMs })
      : check.up({ lagMs, maxLagMs });
  }

  private heapCheck(): HealthIndicatorResult {
    const check = this.indicators.check('heap');
    const usedMb = toMb(process.memoryUsage().heapUsed);
    const maxMb = toMb(this.maxHeapBytes);

    return usedMb > maxMb
      ? check.down({ usedMb, maxMb })
      : check.up({ usedMb, maxMb });
  }
}

function toMb(bytes: number): number {
  return Math.round((bytes / 1024 / 1024) * 10) / 10;
}

function roundRate(rate: number | null): number | null {
  return rate === null ? null : Math.round(rate * 1000) / 1000;
}

/** Reads the version of the nearest package.json above this file, in src/ or a build folder. */
function packageVersion(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) return 'unknown';
    dir = parent;
  }
  const manifest = JSON.parse(
    readFileSync(path.join(dir, 'package.json'), 'utf8'),
  ) as { version?: string };

  return manifest.version ?? 'unknown';
}
