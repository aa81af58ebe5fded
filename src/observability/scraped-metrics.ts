import { Counter, Gauge, type Registry } from 'prom-client';

/** Values read when Prometheus scrapes, from the modules that keep them. */
export interface ScrapeReaders {
  /** Cache counters per data kind, cumulative since start. */
  cache(): Record<
    string,
    { hits: number; misses: number; stale: number; waits: number }
  >;
  /**
   * Open streaming connections per transport, their subscriptions, quotes
   * sent and conflated, and client messages dropped by the message limit.
   */
  streaming(): {
    connections: Record<'socket.io' | 'ws', number>;
    subscriptions: number;
    sent: number;
    conflated: number;
    rateLimited: number;
  };
  /** Requests left in each quota window of each upstream source. */
  quotas(): Promise<{ source: string; window: string; remaining: number }[]>;
}

type CacheField = 'hits' | 'misses' | 'stale' | 'waits';

/**
 * Creates the metrics whose values other modules keep, in `registry`. Each
 * reads them through `readers` when Prometheus scrapes, so the modules count
 * as they always do and pay nothing per request. Before the readers are set,
 * the metrics report zero.
 */
export function scrapedMetrics(
  registry: Registry,
  readers: () => ScrapeReaders | null,
) {
  const registers = [registry];
  const cacheCounters = () => readers()?.cache() ?? {};
  const cacheCounter = (name: string, help: string, field: CacheField) =>
    new Counter({
      name,
      help,
      labelNames: ['kind'] as const,
      registers,
      collect() {
        this.reset();
        for (const [kind, values] of Object.entries(cacheCounters()))
          this.inc({ kind }, values[field]);
      },
    });

  return {
    cacheHits: cacheCounter(
      'cache_hits_total',
      'Cache lookups served with a fresh value, by data kind.',
      'hits',
    ),
    cacheMisses: cacheCounter(
      'cache_misses_total',
      'Cache lookups that loaded the value from the sources, by data kind.',
      'misses',
    ),
    cacheStale: cacheCounter(
      'cache_stale_total',
      'Expired values served marked stale because every source failed, by data kind.',
      'stale',
    ),
    cacheWaits: cacheCounter(
      'cache_waits_total',
      'Cache lookups that waited for a load already running, by data kind.',
      'waits',
    ),
    cacheHitRate: new Gauge({
      name: 'cache_hit_rate',
      help: 'Share of cache lookups since start served with a fresh value (0 to 1); 0 before the first lookup.',
      registers,
      collect() {
        this.set(hitRate(cacheCounters()) ?? 0);
      },
    }),
    connections: new Gauge({
      name: 'websocket_connections_active',
      help: 'Open streaming connections, by transport (socket.io or ws).',
      labelNames: ['transport'] as const,
      registers,
      collect() {
        const connections = readers()?.streaming().connections;
        this.set({ transport: 'socket.io' }, connections?.['socket.io'] ?? 0);
        this.set({ transport: 'ws' }, connections?.ws ?? 0);
      },
    }),
    subscriptions: new Gauge({
      name: 'stream_subscriptions_active',
      help: 'Symbol subscriptions of the open streaming connections, summed over connections.',
      registers,
      collect() {
        this.set(readers()?.streaming().subscriptions ?? 0);
      },
    }),
    sent: new Counter({
      name: 'stream_quotes_sent_total',
      help: 'Quotes written to streaming clients, one per client and quote.',
      registers,
      collect() {
        this.reset();
        this.inc(readers()?.streaming().sent ?? 0);
      },
    }),
    conflated: new Counter({
      name: 'stream_quotes_conflated_total',
      help: 'Quotes replaced by a newer quote of the same symbol before a slow client could be sent them.',
      registers,
      collect() {
        this.reset();
        this.inc(readers()?.streaming().conflated ?? 0);
      },
    }),
    rateLimited: new Counter({
      name: 'stream_messages_rate_limited_total',
      help: 'Client messages dropped for exceeding STREAM_MESSAGE_RATE_LIMIT, including those that closed their connection.',
      registers,
      collect() {
        this.reset();
        this.inc(readers()?.streaming().rateLimited ?? 0);
      },
    }),
    quotaRemaining: new Gauge({
      name: 'upstream_quota_remaining',
      help: 'Requests left in the current quota window of each upstream source, by source and window.',
      labelNames: ['source', 'window'] as const,
      registers,
      async collect() {
        const quotas = (await readers()?.quotas()) ?? [];
        this.reset();
        for (const { source, window, remaining } of quotas)
          this.set({ source, window }, remaining);
      },
    }),
  };
}

/** Returns hits over all lookups (hits, misses, stale), or null without lookups. */
export function hitRate(
  counters: Record<string, { hits: number; misses: number; stale: number }>,
): number | null {
  let hits = 0;
  let lookups = 0;
  for (const { hits: kindHits, misses, stale } of Object.values(counters)) {
    hits += kindHits;
    lookups += kindHits + misses + stale;
  }

  return lookups === 0 ? null : hits / lookups;
}
