import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { MarketCache } from '../cache/market-cache.service.js';
import { SourceRegistry } from '../providers/source-registry.service.js';
import { QuoteBus } from '../streaming/quote-bus.service.js';
import { SubscriptionsService } from '../streaming/subscriptions.service.js';
import { ApiMetrics } from './metrics.js';

/**
 * Connects the metrics to the modules that keep their values: cache
 * counters, streaming connections and quota windows are read when
 * Prometheus scrapes, and quotes on the bus are counted as they pass.
 */
@Injectable()
export class MetricsReaders implements OnModuleInit {
  constructor(
    private readonly metrics: ApiMetrics,
    private readonly cache: MarketCache,
    private readonly subscriptions: SubscriptionsService,
    private readonly sources: SourceRegistry,
    private readonly modules: ModuleRef,
  ) {}

  onModuleInit(): void {
    // The streaming module keeps its bus to itself, so it is looked up.
    const bus = this.modules.get(QuoteBus, { strict: false });
    bus.quotes.subscribe(() => this.metrics.streamQuotes.inc());
    this.metrics.setReaders({
      cache: () => this.cache.stats.snapshot(),
      streaming: () => this.streaming(),
      quotas: () => this.quotas(),
    });
  }

  private streaming() {
    const connections = { 'socket.io': 0, ws: 0 };
    let subscriptions = 0;
    const clients = this.subscriptions.all();
    for (const client of clients) {
      connections[client.transport.kind] += 1;
      subscriptions += client.symbols.size;
    }
    const { sent, conflated } = this.subscriptions.delivery;
    const rateLimited = this.subscriptions.messagesRateLimited;

    return { connections, subscriptions, sent, conflated, rateLimited };
  }

  private async quotas() {
    const reports = await this.sources.reports();

    return reports.flatMap((report) => {
      const quota = report.info?.quota;
      if (!Array.isArray(quota)) return [];

      return (quota as { window: string; remaining: number }[]).map(
        ({ window, remaining }) => ({ source: report.id, window, remaining }),
      );
    });
  }
}
