import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger } from 'pino';

/** How the cache served one lookup of a request. */
export type CacheOutcome = 'HIT' | 'MISS' | 'STALE';

/**
 * The context of the client request being served. Upstream calls made on its
 * behalf share its deadline. The cache notes how it served the lookups (STALE
 * over MISS over HIT) for the X-Cache header, and the logger's lines carry the
 * request id.
 */
export interface RequestContext {
  deadline: number;
  cache: CacheOutcome | null;
  logger: Logger | null;
  /** Cache lookups the request made so far. */
  lookups: number;
  /** The last of them: its cache key and the value it returned. */
  lookup: ServedLookup | null;
  /** True when a kept response served the request. */
  fastHit: boolean;
}

/** A cache lookup of a request: the entry's key and the value served. */
export interface ServedLookup {
  /** Data kind of the entry, as the cache counters name it. */
  kind: string;
  key: string;
  value: unknown;
  /** The cache entry that held the value; null when none was stored. */
  entry: { value: unknown; freshUntil: number; staleUntil: number } | null;
}

/**
 * Storage that carries a context into the async work of a load only. Handlers
 * pass their context explicitly, and a cache hit never enters the storage. On
 * Node 20 an enabled AsyncLocalStorage hooks into every promise of the
 * process (about 12 µs of CPU per request, measured with the cache benchmark),
 * so the storage is disabled whenever no load is running.
 */
const storage = new AsyncLocalStorage<RequestContext>();
let running = 0;

/** Creates a request context whose deadline is `budgetMs` from now. */
export function requestContext(
  budgetMs: number,
  logger: Logger | null = null,
): RequestContext {
  return {
    deadline: Date.now() + budgetMs,
    cache: null,
    logger,
    lookups: 0,
    lookup: null,
    fastHit: false,
  };
}

/** Returns the context of the running load, if any. */
export function currentContext(): RequestContext | undefined {
  return storage.getStore();
}

/** Returns the logger of the running load, or null outside one. */
export function requestLogger(): Logger | null {
  return storage.getStore()?.logger ?? null;
}

/**
 * Runs `work`, and the async work it starts, inside `context`. Work that
 * outlives the promise `work` returns runs without a context, as background
 * work does.
 */
export function runInContext<T>(
  context: RequestContext,
  work: () => Promise<T>,
): Promise<T> {
  if (storage.getStore() === context) return work();
  running += 1;
  let pending: Promise<T>;
  try {
    pending = storage.run(context, work);
  } catch (error) {
    leave();
    throw error;
  }

  return pending.finally(leave);
}

function leave(): void {
  running -= 1;
  if (running === 0) storage.disable();
}

/** Runs `work` with a deadline `budgetMs` from now. */
export function withDeadline<T>(
  budgetMs: number,
  work: () => Promise<T>,
): Promise<T> {
  return runInContext(requestContext(budgetMs), work);
}

/**
 * Returns the milliseconds left before the current request's deadline, or
 * Infinity outside a request (start-up, background feeds).
 */
export function remainingBudget(): number {
  const context = storage.getStore();

  return context ? context.deadline - Date.now() : Number.POSITIVE_INFINITY;
}

const RANK: Readonly<Record<CacheOutcome, number>> = {
  HIT: 0,
  MISS: 1,
  STALE: 2,
};

/**
 * Notes how the cache served a lookup of a request. A request sums up as
 * STALE when any value was stale, else MISS when any was loaded, else HIT.
 */
export function recordCacheOutcome(
  context: RequestContext,
  outcome: CacheOutcome,
  lookup?: ServedLookup,
): void {
  if (context.cache === null || RANK[outcome] > RANK[context.cache])
    context.cache = outcome;
  if (lookup) {
    context.lookups += 1;
    context.lookup = lookup;
  }
}
