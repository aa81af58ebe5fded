import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { CACHE_MANAGER } from '@nestjs/cache-manager';
import type { Cache } from 'cache-manager';
import type { Keyv } from 'keyv';
import {
  circuitBreaker,
  type CircuitBreakerPolicy,
  ConsecutiveBreaker,
  handleAll,
} from 'cockatiel';
import { withinMs } from '../common/time-limit.js';
import { AppConfig } from '../config/app-config.js';
import { RedisService } from '../redis/redis.service.js';
import { type CacheEntry, isCacheEntry } from './cache-entry.js';
import { OutageLog } from './outage-log.js';

/** Failed operations in a row after which Redis is skipped for a while. */
const BREAKER_FAILURES = 3;
/** How long Redis is skipped before one operation tries it again, in ms. */
const BREAKER_COOLDOWN_MS = 1000;

/** Deletes a lock only while it still holds the caller's token. */
const RELEASE_LOCK = `if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1])
end
return 0`;

/** The outcome of trying to take the lock of an entry. */
export type LockAttempt =
  | { kind: 'acquired'; token: string }
  | { kind: 'held' }
  | { kind: 'unavailable' };

class RedisNotReadyError extends Error {
  constructor() {
    super('the Redis connection is not ready');
  }
}

/**
 * The tier every instance shares: the cache manager's store (Redis through
 * Keyv with REDIS_URL, a bounded in-process map without), plus the locks
 * that make one instance load a missing entry while the others wait.
 *
 * Every Redis command is bounded by REDIS_COMMAND_TIMEOUT, and after a few
 * failures in a row Redis is skipped for a second, so a stopped or paused
 * Redis costs a request at most that bound. Failures count as misses and an
 * outage is logged once, with the count of failed operations when it ends.
 */
@Injectable()
export class SharedStore {
  private readonly breaker: CircuitBreakerPolicy;
  private readonly timeoutMs: number;
  private readonly outage = new OutageLog(
    new Logger(SharedStore.name),
    'Redis cache',
  );
  /** Store errors seen so far; the cache manager reports them as events. */
  private storeErrors = 0;
  /** GETs of stored forms in flight, by key. */
  private readonly rawReads = new Map<string, Promise<string | undefined>>();
  /** Prefix of every key this store writes, so deployments can share a Redis. */
  private readonly prefix: string;

  constructor(
    @Inject(CACHE_MANAGER) private readonly cache: Cache,
    private readonly redis: RedisService,
    config: AppConfig,
  ) {
    this.prefix = config.cache.keyPrefix;
    this.breaker = circuitBreaker(handleAll, {
      halfOpenAfter: BREAKER_COOLDOWN_MS,
      breaker: new ConsecutiveBreaker(BREAKER_FAILURES),
    });
    this.timeoutMs = config.redisCommandTimeoutMs;
    const countError = (event: { error?: unknown }) => {
      if (event.error !== undefined) this.storeErrors += 1;
    };
    cache.on('get', countError);
    cache.on('set', countError);
  }

  /** True when the store is Redis and so shared between instances. */
  get distributed(): boolean {
    return this.redis.client !== null;
  }

  /** `up`, `down` during a Redis outage, or `memory` without Redis. */
  get state(): 'up' | 'down' | 'memory' {
    if (!this.distributed) return 'memory';

    return this.redis.ready && !this.outage.inOutage ? 'up' : 'down';
  }

  /** The entry under `key`, or undefined when absent or unreadable. */
  async get<T>(key: string): Promise<CacheEntry<T> | undefined> {
    const value = await this.run(() =>
      this.cache.get<unknown>(this.entryKey(key)),
    );

    return isCacheEntry(value) ? (value as CacheEntry<T>) : undefined;
  }

  /**
   * Returns the stored form of the entry under `key` in Redis, or undefined
   * when absent, unreadable or without Redis. Comparing it with an earlier
   * one shows whether the entry changed, without decoding it. Concurrent
   * reads of one key share one GET, so a caller that comes while a read is
   * in flight gets that read's reply. Its view of Redis may then predate the
   * call by up to the read's time in flight.
   */
  rawEntry(key: string): Promise<string | undefined> {
    let read = this.rawReads.get(key);
    if (read === undefined) {
      read = this.readRaw(key).finally(() => this.rawReads.delete(key));
      this.rawReads.set(key, read);
    }

    return read;
  }

  private async readRaw(key: string): Promise<string | undefined> {
    const client = this.redis.client;
    if (!client) return undefined;
    const raw = await this.run(() => client.get(this.entryKey(key)));

    return typeof raw === 'string' ? raw : undefined;
  }

  /** Decodes a stored form that rawEntry returned. */
  async decode(raw: string): Promise<CacheEntry<unknown> | undefined> {
    const data = await this.store().deserializeData<unknown>(raw);

    return isCacheEntry(data?.value) ? data.value : undefined;
  }

  /** Stores an entry until its stale grace ends; failures are only counted. */
  async set<T>(key: string, entry: CacheEntry<T>, now: number): Promise<void> {
    const ttlMs = Math.ceil(entry.staleUntil - now);
    if (ttlMs <= 0) return;
    await this.run(() => this.cache.set(this.entryKey(key), entry, ttlMs));
  }

  /** Tries to take the lock of `key` for `leaseMs`. */
  async lock(key: string, leaseMs: number): Promise<LockAttempt> {
    const client = this.redis.client;
    if (!client) return { kind: 'unavailable' };
    const token = randomUUID();
    let sent: Promise<string | null> | undefined;
    const reply = await this.run(() => {
      sent = client.set(this.lockKey(key), token, {
        condition: 'NX',
        expiration: { type: 'PX', value: Math.ceil(leaseMs) },
      });
      return sent;
    });
    if (reply === undefined) {
      if (sent) this.releaseIfTakenLate(sent, key, token);
      return { kind: 'unavailable' };
    }

    return reply === 'OK' ? { kind: 'acquired', token } : { kind: 'held' };
  }

  /**
   * Releases a lock whose SET timed out here but that Redis executed later
   * (after a pause, say). Left in place, it would make every instance wait
   * for a load that never comes until the lease ends. The release goes
   * around the breaker, which is often open by the time the reply arrives.
   * When the release fails too, the lease still ends the lock.
   */
  private releaseIfTakenLate(
    sent: Promise<string | null>,
    key: string,
    token: string,
  ): void {
    const client = this.redis.client;
    if (!client) return;
    sent
      .then(async (reply) => {
        if (reply !== 'OK') return;
        await client.eval(RELEASE_LOCK, {
          keys: [this.lockKey(key)],
          arguments: [token],
        });
      })
      .catch(() => undefined);
  }

  /** True while some instance holds the lock of `key`; false when unknown. */
  async locked(key: string): Promise<boolean> {
    const client = this.redis.client;
    if (!client) return false;

    return (await this.run(() => client.exists(this.lockKey(key)))) === 1;
  }

  async unlock(key: string, token: string): Promise<void> {
    const client = this.redis.client;
    if (!client) return;
    await this.run(() =>
      client.eval(RELEASE_LOCK, {
        keys: [this.lockKey(key)],
        arguments: [token],
      }),
    );
  }

  private store(): Keyv {
    const store = this.cache.stores[0];
    if (!store) throw new Error('the cache manager has no store');

    return store;
  }

  private entryKey(key: string): string {
    return `${this.prefix}:${key}`;
  }

  private lockKey(key: string): string {
    return `${this.prefix}:lock:${key}`;
  }

  /**
   * Runs one operation under the timeout and breaker; returns undefined when
   * it fails, after counting the failure.
   */
  private async run<T>(operation: () => Promise<T>): Promise<T | undefined> {
    if (!this.distributed) return operation();
    try {
      const result = await this.breaker.execute(async () => {
        if (!this.redis.ready) throw new RedisNotReadyError();
        const errorsBefore = this.storeErrors;
        // node-redis bounds only the wait to send a command, not its reply.
        const value = await withinMs(
          operation(),
          this.timeoutMs,
          `Redis did not respond within ${this.timeoutMs} ms`,
        );
        if (this.storeErrors !== errorsBefore)
          throw new Error('the cache store reported an error');

        return value;
      });
      this.outage.succeeded();

      return result;
    } catch (error) {
      this.outage.failed(error);

      return undefined;
    }
  }
}
