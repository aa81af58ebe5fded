import { Injectable } from '@nestjs/common';
import { MarketCache } from '../cache/market-cache.service.js';
import { SourceRegistry } from '../providers/source-registry.service.js';
import { RedisService } from '../redis/redis.service.js';

/** Maximum wait for the sources' status, which may read quota counters in Redis (ms). */
export const SOURCE_CHECK_TIMEOUT_MS = 1000;

export type DependencyStatus = 'up' | 'degraded' | 'down';

/** One enabled source as health reports it. */
export interface SourceHealth {
  status: DependencyStatus;
  detail: string;
  circuit?: string;
  lastSuccessAt?: string | null;
  lastFailureAt?: string | null;
}

/** The shared dependencies and sources, each with its state. */
export interface ServicesReport {
  redis: { status: DependencyStatus | 'not configured' };
  cache: ReturnType<MarketCache['state']> & {
    status: 'up' | 'degraded';
    counters: ReturnType<MarketCache['stats']['snapshot']>;
  };
  sources: Record<string, SourceHealth>;
}

/**
 * Reports Redis, the cache and each enabled source as up, degraded or down.
 * These never fail readiness, because a shared dependency fails for every
 * replica at once, and each replica can still serve from memory and other
 * sources.
 * Every check is bounded, so a paused Redis is reported down within
 * REDIS_COMMAND_TIMEOUT and a source within SOURCE_CHECK_TIMEOUT_MS.
 */
@Injectable()
export class DependencyReport {
  constructor(
    private readonly cache: MarketCache,
    private readonly redis: RedisService,
    private readonly sources: SourceRegistry,
  ) {}

  async services(): Promise<ServicesReport> {
    const [redis, sources] = await Promise.all([
      this.redisStatus(),
      this.sourceStatuses(),
    ]);
    const cache = this.cache.state();
    // While every lookup is served from memory, only the ping detects a
    // Redis that stopped responding.
    const status = redis === 'down' ? 'degraded' : cache.status;

    return {
      redis: { status: redis },
      cache: { ...cache, status, counters: this.cache.stats.snapshot() },
      sources,
    };
  }

  private async redisStatus(): Promise<'up' | 'down' | 'not configured'> {
    if (!this.redis.client) return 'not configured';

    return (await this.redis.ping()) ? 'up' : 'down';
  }

  private async sourceStatuses(): Promise<Record<string, SourceHealth>> {
    const reports = await withTimeout(
      this.sources.reports(),
      SOURCE_CHECK_TIMEOUT_MS,
    );
    if (reports === null) {
      return {
        all: {
          status: 'down',
          detail: `the sources did not report within ${SOURCE_CHECK_TIMEOUT_MS} ms`,
        },
      };
    }
    const entries = reports
      .filter((report) => report.enabled && report.state !== 'disabled')
      .map((report): [string, SourceHealth] => {
        const info = report.info ?? {};
        const health: SourceHealth = {
          status: report.state === 'disabled' ? 'down' : report.state,
          detail: report.detail,
        };
        if (typeof info.circuit === 'string') {
          health.circuit = info.circuit;
          health.lastSuccessAt = nullableString(info.lastSuccessAt);
          health.lastFailureAt = nullableString(info.lastFailureAt);
        }

        return [report.id, health];
      });

    return Object.fromEntries(entries);
  }
}

function nullableString(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** Resolves with the promise's value, or with null once `ms` pass first. */
async function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
