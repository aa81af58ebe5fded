import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import {
  CAPABILITIES,
  type Capability,
  type MarketDataSource,
  type SourceId,
  type SourceStatus,
} from './market-data-source.js';
import { disabledUpstreams } from './source-factory.js';

export const MARKET_DATA_SOURCES = Symbol('MARKET_DATA_SOURCES');

export interface SourceReport extends SourceStatus {
  id: SourceId;
  name: string;
  kind: MarketDataSource['kind'];
  enabled: boolean;
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

  /** Sources that have the capability, in the configured order; disabled ones are left out. */
  sourcesFor(capability: Capability): MarketDataSource[] {
    return this.config.providers[capability]
      .map((id) => this.byId.get(id))
      .filter(
        (source): source is MarketDataSource =>
          source?.capabilities.has(capability) === true,
      );
  }

  /** Sources each capability tries, in order, for status pages. */
  order(): Record<Capability, string[]> {
    const entries = CAPABILITIES.map((capability) => [
      capability,
      this.sourcesFor(capability).map((source) => source.id),
    ]);

    return Object.fromEntries(entries) as Record<Capability, string[]>;
  }

  /** Lists every built source with its status, then every upstream that is off and why. */
  async reports(): Promise<SourceReport[]> {
    const built = await Promise.all(
      this.sources.map(async (source) => ({
        id: source.id,
        name: source.name,
        kind: source.kind,
        enabled: true,
        capabilities: [...source.capabilities],
        ...(await source.status()),
      })),
    );
    const off = disabledUpstreams(this.config).map(
      ({ id, reason }): SourceReport => ({
        id,
        name: id,
        kind: 'upstream',
        enabled: false,
        capabilities: [],
        state: 'disabled',
        detail: `Disabled: ${reason}; it is never called.`,
      }),
    );

    return [...built, ...off];
  }

  async onApplicationShutdown(): Promise<void> {
    const streams = this.sources.flatMap((source) =>
      source.stream ? [source.stream] : [],
    );
    await Promise.all(streams.map((stream) => stream.close()));
    const closable = this.sources.filter(hasClose);
    await Promise.all(closable.map((source) => source.close()));
  }
}

function hasClose(
  source: MarketDataSource,
): source is MarketDataSource & { close(): Promise<void> } {
  return typeof (source as { close?: unknown }).close === 'function';
}
