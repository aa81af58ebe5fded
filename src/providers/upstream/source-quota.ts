import { createHash } from 'node:crypto';
import { TaskCancelledError, timeout, TimeoutStrategy } from 'cockatiel';
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';
import type { RedisClientType } from 'redis';
import type { QuotaLimits } from '../../config/upstream-config.js';
import { UpstreamError } from './upstream.errors.js';

/** The state of one quota window, for `GET /api/providers`. */
export interface QuotaWindow {
  window: 'second' | 'minute' | 'day';
  limit: number;
  remaining: number;
  /** When the window's count starts again, ISO 8601; null before first use. */
  resetsAt: string | null;
}

const WINDOWS = [
  {
    window: 'second',
    seconds: 1,
    limit: (quota: QuotaLimits) => quota.perSecond,
  },
  {
    window: 'minute',
    seconds: 60,
    limit: (quota: QuotaLimits) => quota.perMinute,
  },
  {
    window: 'day',
    seconds: 86_400,
    limit: (quota: QuotaLimits) => quota.perDay,
  },
] as const;

interface Limiter {
  window: QuotaWindow['window'];
  limit: number;
  limiter: RateLimiterAbstract;
  /** The in-process limiter used while Redis fails or does not respond in time. */
  local: RateLimiterMemory;
}

/**
 * Request budgets of one source per second, minute and day, backed by
 * rate-limiter-flexible. With Redis the counters are shared by every replica;
 * each Redis limiter falls back to an in-process one while Redis fails or
 * takes longer than `redisTimeoutMs` (a paused Redis never responds). The
 * key includes a hash of the API key, so two keys get two budgets. Windows
 * are fixed from their first request, not calendar days.
 */
export class SourceQuota {
  private readonly limiters: Limiter[];
  private readonly key: string;
  private readonly bound;

  constructor(
    source: string,
    apiKey: string | null,
    quota: QuotaLimits,
    redis: RedisClientType | null,
    redisTimeoutMs = 250,
  ) {
    this.bound = timeout(redisTimeoutMs, TimeoutStrategy.Aggressive);
    const keyHash = createHash('sha256')
      .update(apiKey ?? 'none')
      .digest('hex')
      .slice(0, 16);
    this.key = `${source}:${keyHash}`;
    this.limiters = WINDOWS.filter((window) => window.limit(quota) > 0).map(
      (window) => {
        const options = {
          points: window.limit(quota),
          duration: window.seconds,
          keyPrefix: `quota:${window.window}`,
        };
        const memory = new RateLimiterMemory(options);
        const limiter = redis
          ? new RateLimiterRedis({
              ...options,
              storeClient: redis,
              useRedisPackage: true,
              insuranceLimiter: memory,
            })
          : memory;

        return {
          window: window.window,
          limit: window.limit(quota),
          limiter,
          local: memory,
        };
      },
    );
  }

  /**
   * Takes one request from every window, or throws QUOTA_EXHAUSTED without
   * taking any when a window is used up.
   */
  async consume(source: string, symbol: string): Promise<void> {
    const taken: Limiter[] = [];
    for (const entry of this.limiters) {
      try {
        taken.push(await this.consumeOne(entry));
      } catch (rejection) {
        await Promise.all(
          taken.map((done) =>
            this.bounded(done.limiter, done.local, (limiter) =>
              limiter.reward(this.key, 1),
            ),
          ),
        );
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        throw new UpstreamError(
          'QUOTA_EXHAUSTED',
          source,
          `${source} has used its ${entry.limit} requests per ${entry.window}; the budget renews in ${Math.ceil(rejection.msBeforeNext / 1000)} s.`,
          { symbol, retryAfterMs: rejection.msBeforeNext },
        );
      }
    }
  }

  async state(): Promise<QuotaWindow[]> {
    return Promise.all(
      this.limiters.map(async ({ window, limit, limiter, local }) => {
        const result = await this.bounded(limiter, local, (used) =>
          used.get(this.key),
        ).catch(() => null);
        if (!result) return { window, limit, remaining: limit, resetsAt: null };

        return {
          window,
          limit,
          remaining: Math.max(0, limit - result.consumedPoints),
          resetsAt: new Date(Date.now() + result.msBeforeNext).toISOString(),
        };
      }),
    );
  }

  /**
   * Takes one point from a window. Returns the window as counted: with only
   * its in-process limiter when Redis did not respond, so a refund goes there.
   */
  private async consumeOne(entry: Limiter): Promise<Limiter> {
    let counted = entry;
    await this.bounded(entry.limiter, entry.local, (limiter) => {
      if (limiter === entry.local) counted = { ...entry, limiter };
      return limiter.consume(this.key, 1);
    });

    return counted;
  }

  /**
   * Runs an operation on `limiter`, and again on the in-process `local` one
   * when the first does not respond within the Redis timeout.
   */
  private async bounded<T>(
    limiter: RateLimiterAbstract,
    local: RateLimiterMemory,
    operation: (limiter: RateLimiterAbstract) => Promise<T>,
  ): Promise<T> {
    if (limiter === local) return operation(limiter);
    try {
      return await this.bound.execute(() => operation(limiter));
    } catch (error) {
      if (!(error instanceof TaskCancelledError)) throw error;
      return operation(local);
    }
  }
}
