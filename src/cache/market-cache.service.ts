import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { ApiError } from '../common/api.errors.js';
import {
  type CacheOutcome,
  currentContext,
  recordCacheOutcome,
  type RequestContext,
  runInContext,
} from '../common/request-deadline.js';
import { AppConfig } from '../config/app-config.js';
import { type CacheEntry, isFresh, isServableStale } from './cache-entry.js';
import type { DataKind } from './cache-keys.js';
import { CacheStats } from './cache-stats.js';
import { SharedStore } from './shared-store.service.js';

/** How often a lookup waiting for another instance's load checks Redis, in ms. */
const POLL_INTERVAL_MS = 25;

/** One cache lookup: what to load on a miss and how long the value lives. */
export interface Lookup<T> {
  kind: DataKind;
  key: string;
  load: () => Promise<T>;
  /** Lifetime of a loaded value in ms; the kind's configured TTL when absent. */
  ttlMs?: (value: T) => number;
  /** The request served: its deadline bounds the load, and it notes the outcome. */
  context?: RequestContext;
}

/** A value and how the cache served it. */
export interface Cached<T> {
  value: T;
  outcome: CacheOutcome;
}

interface Resolution<T> extends Cached<T> {
  waited: boolean;
  /** The entry that contains the value; null for a stale or unstored value. */
  entry: CacheEntry<T> | null;
}

/** A load in flight and the deadline of the lookup that started it (ms). */
interface InflightLoad<T> {
  resolution: Promise<Resolution<T>>;
  deadline: number;
}

/**
 * The two-tier cache in front of the sources: a small in-process LRU with a
 * short lifetime, then the shared store. Concurrent misses for one key load
 * once: within a process they share a promise, across instances one takes a
 * Redis lock and the others wait, within a bound, for its value. Expired
 * values stay for a grace period and are served, marked stale, when every
 * source fails. Errors are never stored.
 */
@Injectable()
export class MarketCache {
  readonly stats = new CacheStats();
  private readonly memory: LRUCache<string, CacheEntry<unknown>> | null;
  /** Loads in flight per key, with the deadline of the lookup that started each. */
  private readonly inflight = new Map<string, InflightLoad<unknown>>();

  constructor(
    private readonly config: AppConfig,
    private readonly shared: SharedStore,
  ) {
    const { memoryMaxEntries, memoryTtlMs } = config.cache;
    this.memory =
      memoryMaxEntries > 0 && memoryTtlMs > 0
        ? new LRUCache({ max: memoryMaxEntries })
        : null;
  }

  /** Returns the configured lifetime of a kind, in ms. */
  ttlOf(kind: DataKind): number {
    const ttl = this.config.cache.ttlMs;
    if (kind === 'quote') return ttl.quote;
    if (kind === 'profile') return ttl.profile;
    if (kind === 'history') return ttl.history;

    return ttl.other;
  }

  /** Reports the shared store's state and the memory tier's size, for health. */
  state() {
    return {
      store: this.shared.distributed ? 'redis' : 'memory',
      status: this.shared.state === 'down' ? 'degraded' : 'up',
      memoryEntries: this.memory?.size ?? 0,
    } as const;
  }

  /**
   * Returns the cached value of a lookup, loading it on a miss. A fresh value
   * in the memory tier is returned without a further async step. A load from
   * the sources runs in the request's context, so that its deadline bounds
   * the upstream calls.
   */
  get<T>(lookup: Lookup<T>): Promise<Cached<T>> {
    const context = lookup.context ?? currentContext();
    const local = this.memory?.get(lookup.key) as CacheEntry<T> | undefined;
    if (local && isFresh(local, Date.now()) && this.ttlOf(lookup.kind) > 0) {
      const hit = {
        value: local.value,
        outcome: 'HIT',
        waited: false,
        entry: local,
      } as const;
      return Promise.resolve(this.served(lookup, hit, context));
    }

    return this.resolve(lookup, context).then((resolution) =>
      this.served(lookup, resolution, context),
    );
  }

  /**
   * Returns the memory tier's entry of a key while it is fresh. A response
   * built from its value may be sent again until then.
   */
  freshEntry(key: string): CacheEntry<unknown> | undefined {
    const entry = this.memory?.get(key);

    return entry && isFresh(entry, Date.now()) ? entry : undefined;
  }

  /** Counts a hit served from a kept response, without a lookup. */
  countFastHit(kind: DataKind): void {
    this.stats.count(kind, 'hits');
  }

  /** Counts how a lookup was served and returns its value and outcome. */
  private served<T>(
    lookup: Lookup<T>,
    resolution: Resolution<T>,
    context: RequestContext | undefined,
  ): Cached<T> {
    this.stats.count(lookup.kind, counterOf(resolution.outcome));
    if (resolution.waited) this.stats.count(lookup.kind, 'waits');
    if (context) {
      recordCacheOutcome(context, resolution.outcome, {
        kind: lookup.kind,
        key: lookup.key,
        value: resolution.value,
        entry: resolution.entry,
      });
    }

    return { value: resolution.value, outcome: resolution.outcome };
  }

  private async resolve<T>(
    lookup: Lookup<T>,
    context: RequestContext | undefined,
  ): Promise<Resolution<T>> {
    if (this.ttlOf(lookup.kind) <= 0) {
      const value = await loadIn(lookup, context);
      return { value, outcome: 'MISS', waited: false, entry: null };
    }
    const pending = this.inflight.get(lookup.key) as
      InflightLoad<T> | undefined;
    if (pending) {
      const shared = await joinLoad(pending, context);
      const outcome = shared.outcome === 'STALE' ? 'STALE' : 'HIT';

      return { ...shared, outcome, waited: true };
    }
    const loading = this.fromSharedOrLoad(lookup, context).finally(() =>
      this.inflight.delete(lookup.key),
    );
    this.inflight.set(lookup.key, {
      resolution: loading,
      deadline: context?.deadline ?? Number.POSITIVE_INFINITY,
    });

    return loading;
  }

  private async fromSharedOrLoad<T>(
    lookup: Lookup<T>,
    context: RequestContext | undefined,
  ): Promise<Resolution<T>> {
    const entry = await this.shared.get<T>(lookup.key);
    if (entry && isFresh(entry, Date.now())) {
      this.remember(lookup.key, entry);
      return { value: entry.value, outcome: 'HIT', waited: false, entry };
    }
    if (!this.shared.distributed)
      return this.load(lookup, context, entry, false);

    return this.loadUnderLock(lookup, context, entry);
  }

  /**
   * Loads under the entry's Redis lock. When another instance holds it, waits
   * for its value until the lease or the request's deadline runs out, then
   * loads without the lock rather than hang.
   */
  private async loadUnderLock<T>(
    lookup: Lookup<T>,
    context: RequestContext | undefined,
    expired: CacheEntry<T> | undefined,
  ): Promise<Resolution<T>> {
    const leaseMs = this.config.cache.lockLeaseMs;
    const budget = context
      ? context.deadline - Date.now()
      : Number.POSITIVE_INFINITY;
    const waitUntil = Date.now() + Math.min(leaseMs, budget);
    let waited = false;
    for (;;) {
      const lock = await this.shared.lock(lookup.key, leaseMs);
      if (lock.kind !== 'held') {
        try {
          return await this.load(lookup, context, expired, waited);
        } finally {
          if (lock.kind === 'acquired')
            await this.shared.unlock(lookup.key, lock.token);
        }
      }
      waited = true;
      const entry = await this.awaitOtherLoad<T>(lookup.key, waitUntil);
      if (entry) {
        this.remember(lookup.key, entry);
        return { value: entry.value, outcome: 'HIT', waited, entry };
      }
      if (Date.now() >= waitUntil)
        return this.load(lookup, context, expired, waited);
    }
  }

  /**
   * Polls Redis for the value another instance is loading. Returns it when it
   * arrives; undefined once the lock is gone without a value (that load
   * failed) or the wait is over.
   */
  private async awaitOtherLoad<T>(
    key: string,
    waitUntil: number,
  ): Promise<CacheEntry<T> | undefined> {
    while (Date.now() < waitUntil) {
      await sleep(POLL_INTERVAL_MS);
      const entry = await this.shared.get<T>(key);
      if (entry && isFresh(entry, Date.now())) return entry;
      if (!(await this.shared.locked(key))) {
        const last = await this.shared.get<T>(key);
        return last && isFresh(last, Date.now()) ? last : undefined;
      }
    }

    return undefined;
  }

  /**
   * Loads from the sources and stores the value. When every source fails and
   * an expired value is still within its grace period, that value is served
   * as stale instead of the error.
   */
  private async load<T>(
    lookup: Lookup<T>,
    context: RequestContext | undefined,
    expired: CacheEntry<T> | undefined,
    waited: boolean,
  ): Promise<Resolution<T>> {
    let value: T;
    try {
      value = await loadIn(lookup, context);
    } catch (error) {
      if (
        expired &&
        isServableStale(expired, Date.now()) &&
        sourcesFailed(error)
      )
        return { value: expired.value, outcome: 'STALE', waited, entry: null };
      throw error;
    }
    const now = Date.now();
    const ttlMs = lookup.ttlMs?.(value) ?? this.ttlOf(lookup.kind);
    if (ttlMs <= 0) return { value, outcome: 'MISS', waited, entry: null };
    const entry: CacheEntry<T> = {
      value,
      freshUntil: now + ttlMs,
      staleUntil: now + ttlMs + this.config.cache.staleGraceMs,
    };
    this.remember(lookup.key, entry);
    await this.shared.set(lookup.key, entry, now);

    return { value, outcome: 'MISS', waited, entry };
  }

  /** Keeps a fresh entry in the memory tier, no longer than it stays fresh. */
  private remember(key: string, entry: CacheEntry<unknown>): void {
    const ttl = Math.min(
      this.config.cache.memoryTtlMs,
      entry.freshUntil - Date.now(),
    );
    if (this.memory && ttl > 0) this.memory.set(key, entry, { ttl });
  }
}

/**
 * Runs a lookup's load in the request's context, so that the upstream calls
 * it makes share the request's deadline and logger.
 */
function loadIn<T>(
  lookup: Lookup<T>,
  context: RequestContext | undefined,
): Promise<T> {
  return context ? runInContext(context, lookup.load) : lookup.load();
}

/**
 * Waits for a load that another lookup started, no longer than the request's
 * deadline. That load runs under its own deadline, or under none when a
 * streaming feed's poll started it, and then takes up to UPSTREAM_TIMEOUT per
 * attempt.
 */
function joinLoad<T>(
  pending: InflightLoad<T>,
  context: RequestContext | undefined,
): Promise<Resolution<T>> {
  // A load whose deadline is no later than this request's ends by that
  // deadline. That is the usual case, and it needs no timer.
  if (!context || pending.deadline <= context.deadline)
    return pending.resolution;
  // NOTE: a waiter that times out gets the 504 even when an expired value
  // is still within its grace, which the load itself would serve as stale.
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    const budgetMs = Math.max(0, context.deadline - Date.now());
    timer = setTimeout(() => {
      reject(
        new ApiError(
          'UPSTREAM_TIMEOUT',
          'The request deadline passed while waiting for the sources to answer.',
        ),
      );
    }, budgetMs);
  });

  return Promise.race([pending.resolution, deadline]).finally(() =>
    clearTimeout(timer),
  );
}

/**
 * Returns true for errors that mean the sources could not respond
 * (unavailable, rate limited, timed out, malformed), as opposed to results
 * such as "no such symbol", which a stale value must not hide.
 */
function sourcesFailed(error: unknown): boolean {
  return error instanceof ApiError && error.status >= 502;
}

function counterOf(outcome: CacheOutcome): 'hits' | 'misses' | 'stale' {
  if (outcome === 'HIT') return 'hits';

  return outcome === 'MISS' ? 'misses' : 'stale';
}
