import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import type {
  Capability,
  MarketDataSource,
  SourceStatus,
} from './market-data-source.js';

export const MARKET_DATA_SOURCES = Symbol('MARKET_DATA_SOURCES');

export interface SourceReport extends SourceStatus {
  id: string;
  name: string;
  kind: MarketDataSource['kind'];
  capabilities: Capability[];
}

/** The configured sources, in the order each capability tries them. */
@Injectable()
export class SourceRegistry implements OnApplicationShutdown {
  private readonly byId: ReadonlyMap<string, MarketDataSource>;

  constructor(
    @Inject(MARKET_DATA_SOURCES) private readonly sources: MarketDataSource[],
    private readonly config: AppConfig,
  ) {
    this.byId = new Map(sources.map((source) => [source.id, source]));
  }

  /** Sources that have the capability, in the configured order. */
  sourcesFor(capability: Capability): MarketDataSource[] {
    return this.config.providers[capability]
      .map((id) => this.byId.get(id))
      .filter(
        (source): source is MarketDataSource =>
          source?.capabilities.has(capability) === true,
      );
  }

  /** Configured order per capability, for status pages. */
  order(): Record<Capability, string[]> {
    const entries = Object.entries(this.config.providers).map(
      ([capability, ids]) => [capability, [...ids]],
    );

    return Object.fromEntries(entries) as Record<Capability, string[]>;
  }

  reports(): SourceReport[] {
    return this.sources.map((source) => ({
      id: source.id,
      name: source.name,
      kind: source.kind,
      capabilities: [...source.capabilities],
      ...source.status(),
    }));
  }

  async onApplicationShutdown(): Promise<void> {
    const streams = this.sources.flatMap((source) =>
      source.stream ? [source.stream] : [],
    );
    await Promise.all(streams.map((stream) => stream.close()));
  }
}
