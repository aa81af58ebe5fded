import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type { RedisClientType } from 'redis';
import { withinMs } from '../common/time-limit.js';
import { AppConfig } from '../config/app-config.js';
import { RedisService } from '../redis/redis.service.js';

type ThrottlerStorageRecord = Awaited<
  ReturnType<ThrottlerStorage['increment']>
>;

/** Interval of the sweep that deletes the state of ended windows, in ms. */
const SWEEP_INTERVAL_MS = 60_000;
/** Time a window's Redis key outlives the window, for clocks that lag, in ms. */
const KEY_GRACE_MS = 5000;
/**
 * Share of a limit one instance reserves from Redis at a time. With 100,
 * a key costs at most about 100 Redis round trips per window and instance,
 * however many requests it gets.
 */
const RESERVATIONS_PER_WINDOW = 100;
/**
 * Maximum keys one instance tracks at once. Past it, the key whose window
 * started first is dropped, so a flood of client addresses cannot grow
 * memory without bound. A dropped client's count starts again.
 */
const MAX_TRACKED_KEYS = 100_000;
/** Time an instance counts alone after a failed Redis call before it tries again, in ms. */
const LOCAL_RETRY_MS = 1000;

/** Counting state of one key in one fixed window. */
interface WindowState {
  /** Window number: epoch ms divided by the window length, rounded down. */
  window: number;
  /** End of the window, epoch ms. */
  resetAt: number;
  /** Requests counted by this instance in the window. */
  count: number;
  /** Requests this instance reserved in Redis and has not yet admitted. */
  permits: number;
  /** Cluster-wide count Redis returned with the last reservation. */
  total: number;
  /** True once Redis reported the limit reached: no further reservations. */
  exhausted: boolean;
  /** Until this epoch ms, after a Redis failure, the instance counts alone. */
  localUntil: number;
  reserving: Promise<void> | null;
}

/**
 * Rate-limit counters for @nestjs/throttler in fixed windows aligned to the
 * epoch, so that every instance agrees on where a window starts.
 *
 * Without Redis, counts live in this process. With Redis, an instance
 * reserves permits from a per-key, per-window counter with one atomic
 * MULTI (INCRBY, PEXPIREAT) and admits requests from its reservation without
 * a round trip. A reservation is 1% of the limit (at least 1), taken again
 * when half of it is used. So a limit under 200 costs one Redis operation
 * per request and is exact, and a hot key under a large limit costs one per
 * 1% of the limit.
 *
 * Bounds, while Redis responds: the cluster never admits more than the limit
 * in a window (no overshoot), because every admitted request was reserved
 * first. Reserved permits that an instance does not use before the window
 * ends are lost, so with N instances up to N% of the limit can go unused
 * when a client's traffic moves between instances. While Redis fails or
 * does not respond within REDIS_COMMAND_TIMEOUT, each instance counts alone
 * against the whole limit, so a client can get up to N times the limit.
 */
@Injectable()
export class RateLimitStorage
  implements ThrottlerStorage, OnApplicationShutdown
{
  private readonly logger = new Logger(RateLimitStorage.name);
  private readonly states = new Map<string, WindowState>();
  private readonly client: RedisClientType | null;
  private readonly prefix: string;
  private readonly timeoutMs: number;
  private sweeper: NodeJS.Timeout | null = null;
  private failing = false;

  constructor(config: AppConfig, redis: RedisService) {
    this.client = redis.client;
    this.prefix = `${config.cache.keyPrefix}:ratelimit:`;
    this.timeoutMs = config.redisCommandTimeoutMs;
  }

  /** Counts one request of `key` against `limit` per `ttl` ms; blockDuration is the window. */
  increment(
    key: string,
    ttl: number,
    limit: number,
  ): Promise<ThrottlerStorageRecord> {
    const now = Date.now();
    const state = this.stateOf(key, ttl, now);
    if (this.client === null) {
      state.count += 1;
      return Promise.resolve(
        record(state.count, state.count > limit, state.resetAt, now),
      );
    }

    return this.incrementShared(key, state, limit, now);
  }

  onApplicationShutdown(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = null;
    this.states.clear();
  }

  /**
   * Counts one request of `key` when this instance can admit it from its own
   * state: in memory, from permits already reserved in Redis, or while it
   * counts alone after a Redis failure. Returns null, counting nothing, when
   * admitting needs a Redis round trip or the request would be rejected;
   * increment() then decides.
   */
  admitLocally(
    key: string,
    ttl: number,
    limit: number,
  ): ThrottlerStorageRecord | null {
    const now = Date.now();
    const state = this.stateOf(key, ttl, now);
    const alone =
      this.client === null ||
      (state.permits === 0 && !state.exhausted && now < state.localUntil);
    if (alone) {
      if (state.count >= limit) return null;
      state.count += 1;
      return record(state.count, false, state.resetAt, now);
    }
    if (state.permits === 0) return null;

    return this.countInHand(key, state, limit, now);
  }

  private async incrementShared(
    key: string,
    state: WindowState,
    limit: number,
    now: number,
  ): Promise<ThrottlerStorageRecord> {
    for (;;) {
      const counted = this.countInHand(key, state, limit, now);
      if (counted !== null) return counted;
      const batch = batchOf(limit);
      if (batch === 1) {
        // Each request takes its own permit, so concurrent requests go out
        // together in one pipeline instead of waiting on each other.
        await this.reserve(key, state, 1, limit);
        continue;
      }
      state.reserving ??= this.reserve(key, state, batch, limit);
      await state.reserving;
    }
  }

  /**
   * Counts a request from the state of this instance: a reserved permit, the
   * knowledge that the limit is used up, or its own count while Redis
   * fails. Returns null when a reservation is needed first.
   */
  private countInHand(
    key: string,
    state: WindowState,
    limit: number,
    now: number,
  ): ThrottlerStorageRecord | null {
    if (state.permits > 0) {
      const batch = batchOf(limit);
      state.permits -= 1;
      state.count += 1;
      if (
        batch > 1 &&
        state.permits < batch / 2 &&
        !state.exhausted &&
        state.reserving === null
      ) {
        state.reserving = this.reserve(key, state, batch, limit);
      }
      // Other instances' reservations count in the total, so it can pass
      // the limit while this instance still holds permits.
      const hits = Math.min(limit, state.total - state.permits);
      return record(hits, false, state.resetAt, now);
    }
    if (state.exhausted) {
      state.count += 1;
      return record(limit + 1, true, state.resetAt, now);
    }
    if (now < state.localUntil) {
      state.count += 1;
      return record(state.count, state.count > limit, state.resetAt, now);
    }

    return null;
  }

  /**
   * Reserves up to `batch` permits. After a Redis failure the instance counts
   * alone for LOCAL_RETRY_MS; a command that timed out may still have been
   * applied, which leaves its permits unused rather than admitting more.
   */
  private async reserve(
    key: string,
    state: WindowState,
    batch: number,
    limit: number,
  ): Promise<void> {
    try {
      const total = await this.incrementInRedis(
        `${this.prefix}${key}:${state.window}`,
        batch,
        state.resetAt + KEY_GRACE_MS,
      );
      state.permits += Math.max(0, Math.min(batch, limit - (total - batch)));
      state.total = Math.max(state.total, total);
      if (total >= limit) state.exhausted = true;
      if (this.failing) {
        this.failing = false;
        this.logger.log('Rate-limit counters are shared through Redis again');
      }
    } catch (error) {
      state.localUntil = Date.now() + LOCAL_RETRY_MS;
      if (!this.failing) {
        this.failing = true;
        this.logger.warn(
          `Rate-limit counters fell back to this instance, so clients may get up to the limit per instance: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    } finally {
      if (batch > 1) state.reserving = null;
    }
  }

  private async incrementInRedis(
    redisKey: string,
    amount: number,
    expireAt: number,
  ): Promise<number> {
    const client = this.client;
    if (!client?.isReady) throw new Error('Redis is not connected');
    const [total] = await withinMs(
      client
        .multi()
        .incrBy(redisKey, amount)
        .pExpireAt(redisKey, expireAt)
        .exec(),
      this.timeoutMs,
      `Redis did not respond within ${this.timeoutMs} ms`,
    );

    return Number(total);
  }

  private stateOf(key: string, ttl: number, now: number): WindowState {
    const window = Math.floor(now / ttl);
    let state = this.states.get(key);
    if (state === undefined || state.window !== window) {
      state = {
        window,
        resetAt: (window + 1) * ttl,
        count: 0,
        permits: 0,
        total: 0,
        exhausted: false,
        localUntil: 0,
        reserving: null,
      };
      // Deleting first moves the key to the end of the Map's order.
      this.states.delete(key);
      if (this.states.size >= MAX_TRACKED_KEYS) {
        const oldest = this.states.keys().next().value;
        if (oldest !== undefined) this.states.delete(oldest);
      }
      this.states.set(key, state);
      this.startSweeping();
    }

    return state;
  }

  private startSweeping(): void {
    if (this.sweeper) return;
    this.sweeper = setInterval(() => {
      const now = Date.now();
      for (const [key, state] of this.states) {
        if (state.resetAt <= now) this.states.delete(key);
      }
    }, SWEEP_INTERVAL_MS);
    this.sweeper.unref();
  }
}

/** Permits one reservation takes: 1% of the limit, at least 1. */
function batchOf(limit: number): number {
  return Math.max(1, Math.floor(limit / RESERVATIONS_PER_WINDOW));
}

function record(
  hits: number,
  isBlocked: boolean,
  resetAt: number,
  now: number,
): ThrottlerStorageRecord {
  const secondsLeft = Math.max(1, Math.ceil((resetAt - now) / 1000));

  return {
    totalHits: hits,
    timeToExpire: secondsLeft,
    isBlocked,
    timeToBlockExpire: isBlocked ? secondsLeft : 0,
  };
}
