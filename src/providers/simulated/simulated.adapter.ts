import { Logger, type LoggerService } from '@nestjs/common';
import { timeZoneOf } from '../../market/exchange-zones.js';
import type { Profile, SymbolMatch } from '../../market/profile.js';
import type { Quote } from '../../market/quote.js';
import type { Instrument } from '../../market/symbol.js';
import {
  CAPABILITIES,
  type Capability,
  type HistoryQuery,
  type HistoryResult,
  type MarketDataSource,
  type SourceStatus,
} from '../market-data-source.js';
import { buildHistoryBars } from './history-builder.js';
import { buildSeries, findSeries, type PriceSeries } from './price-series.js';
import { buildQuote, SOURCE_ID } from './quote-builder.js';
import { searchUniverse } from './symbol-search.js';
import { SimulatedTickStream } from './tick-stream.js';
import { buildUniverse } from './universe.js';

export interface SimulatedSourceOptions {
  /** Seed of every random stream. Equal seeds give equal prices. */
  seed: number;
  /** Symbols that replace the built-in universe (SIMULATED_SYMBOLS). */
  symbols?: readonly string[];
  /** Clock in epoch ms, the system clock unless a test fixes it. */
  now?: () => number;
  logger?: LoggerService;
  /** Milliseconds between stream ticks, 1000 unless a test shortens it. */
  tickIntervalMs?: number;
}

const DEFAULT_TICK_INTERVAL_MS = 1000;

/**
 * Embedded source of simulated market data: a seeded random walk over a
 * built-in universe, the same for the same seed in any process. It serves
 * every capability without network access.
 */
export class SimulatedSource implements MarketDataSource {
  readonly id = SOURCE_ID;
  readonly name = 'Simulated market data';
  readonly kind = 'embedded';
  readonly capabilities: ReadonlySet<Capability> = new Set(CAPABILITIES);
  readonly stream: SimulatedTickStream;

  private readonly seed: number;
  private readonly now: () => number;
  private readonly series: ReadonlyMap<string, PriceSeries>;

  constructor(options: SimulatedSourceOptions) {
    if (!Number.isFinite(options.seed)) {
      throw new RangeError(
        `Simulated seed must be a finite number, got ${options.seed}`,
      );
    }
    this.seed = options.seed;
    this.now = options.now ?? Date.now;
    const logger = options.logger ?? new Logger(SimulatedSource.name);
    this.series = buildSeries(
      buildUniverse(this.seed, options.symbols),
      this.seed,
    );
    this.stream = new SimulatedTickStream({
      seriesOf: (symbol) => this.series.get(symbol) ?? null,
      now: this.now,
      intervalMs: options.tickIntervalMs ?? DEFAULT_TICK_INTERVAL_MS,
      logger,
    });
    logger.log(
      `Simulating ${this.series.size} instruments with seed ${this.seed}`,
    );
  }

  async getQuote(instrument: Instrument): Promise<Quote> {
    return buildQuote(this.seriesOf(instrument), this.now());
  }

  async getHistory(query: HistoryQuery): Promise<HistoryResult> {
    const series = this.seriesOf(query.instrument);
    const now = this.now();

    return {
      bars: buildHistoryBars(series, query, now),
      events: [],
      adjustment: 'raw',
      timeZone: timeZoneOf(series.spec.instrument),
      asOf: now,
    };
  }

  async getProfile(instrument: Instrument): Promise<Profile> {
    const { spec } = this.seriesOf(instrument);

    return {
      symbol: spec.instrument.symbol,
      assetClass: spec.instrument.assetClass,
      name: spec.name,
      exchange: spec.exchange,
      currency: spec.currency,
      country: spec.country,
      sector: spec.sector,
      industry: spec.industry,
      description: null,
      website: spec.website,
      base: spec.instrument.base ?? null,
      quote: spec.instrument.quote ?? null,
      timeZone: timeZoneOf(spec.instrument),
      coverage: null,
      source: SOURCE_ID,
      asOf: this.now(),
      stale: false,
    };
  }

  async search(query: string, limit: number): Promise<SymbolMatch[]> {
    const entries = [...this.series.values()].map((series) => series.spec);

    return searchUniverse(entries, query, limit, SOURCE_ID);
  }

  status(): SourceStatus {
    return {
      state: 'up',
      detail: `Seeded random walk over ${this.series.size} instruments`,
      info: { seed: this.seed, instruments: this.series.size },
    };
  }

  private seriesOf(instrument: Instrument): PriceSeries {
    return findSeries(this.series, instrument.symbol);
  }
}
