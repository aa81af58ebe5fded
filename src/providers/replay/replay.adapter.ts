import { Logger, type LoggerService } from '@nestjs/common';
import { UsEquityCalendar } from '../../market/exchange-calendar.js';
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
import { ReplayCatalog } from './replay-catalog.js';
import { loadDirectory, type LoadStats } from './replay-directory.js';
import { readHistory } from './replay-history.js';
import { buildProfile, searchSymbols } from './replay-profile.js';
import { buildQuote } from './replay-quote.js';
import { ReplayTickStream } from './replay-tick-stream.js';

export interface ReplaySourceOptions {
  /** Folder of CSV and text files (REPLAY_DIR). */
  dir: string;
  /** Multiplier of real time for the tick stream (REPLAY_SPEED). */
  speed: number;
  logger?: LoggerService;
  now?: () => number;
}

type LoadState =
  | { kind: 'pending' }
  | { kind: 'loaded'; stats: LoadStats; at: number }
  | { kind: 'failed'; reason: string };

/**
 * Serves real historical OHLCV from a folder of CSV files, and replays it
 * as a live tick stream. Call `load()` once before use.
 */
export class ReplaySource implements MarketDataSource {
  readonly id = 'replay';
  readonly name = 'Replay of CSV files';
  readonly kind = 'embedded';
  readonly capabilities: ReadonlySet<Capability> = new Set(CAPABILITIES);
  readonly stream: ReplayTickStream;

  private readonly logger: LoggerService;
  private readonly now: () => number;
  private readonly calendar = new UsEquityCalendar();
  private catalog = new ReplayCatalog([]);
  private state: LoadState = { kind: 'pending' };

  constructor(private readonly options: ReplaySourceOptions) {
    this.logger = options.logger ?? new Logger('ReplaySource');
    this.now = options.now ?? Date.now;
    this.stream = new ReplayTickStream({
      speed: options.speed,
      now: this.now,
      logger: this.logger,
      seriesFor: (symbol) => this.catalog.find(symbol)?.series[0],
    });
  }

  /**
   * Reads the directory and replaces what was loaded before. Throws an error
   * naming the path when the directory is missing or unreadable. Files that
   * cannot be read are logged and skipped.
   */
  async load(): Promise<void> {
    try {
      const { series, stats } = await loadDirectory(
        this.options.dir,
        this.logger,
        this.now,
      );
      this.catalog = new ReplayCatalog(series);
      this.state = { kind: 'loaded', stats, at: this.now() };
      this.logger.log(
        `Loaded ${this.options.dir}: ${stats.filesRead} files, ${stats.series} series, ${stats.symbols} symbols, ${stats.rowsSkipped} rows skipped in ${stats.loadMs} ms`,
      );
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.state = { kind: 'failed', reason };
      this.logger.error(`Replay load failed: ${reason}`);
      throw error;
    }
  }

  async getHistory(query: HistoryQuery): Promise<HistoryResult> {
    const entry = this.catalog.require(query.instrument.symbol);

    return readHistory(entry, query, this.calendar);
  }

  async getQuote(instrument: Instrument): Promise<Quote> {
    const entry = this.catalog.require(instrument.symbol);

    return buildQuote(entry, this.calendar);
  }

  async getProfile(instrument: Instrument): Promise<Profile> {
    const entry = this.catalog.require(instrument.symbol);
    const loadedAt = this.state.kind === 'loaded' ? this.state.at : this.now();

    return buildProfile(entry, loadedAt);
  }

  async search(query: string, limit: number): Promise<SymbolMatch[]> {
    return searchSymbols(this.catalog, query, limit);
  }

  status(): SourceStatus {
    switch (this.state.kind) {
      case 'pending':
        return {
          state: 'down',
          detail: 'The replay files are not loaded yet.',
        };
      case 'failed':
        return { state: 'down', detail: this.state.reason };
      case 'loaded': {
        const { stats } = this.state;
        const info = { dir: this.options.dir, ...stats };
        if (stats.series === 0) {
          return {
            state: 'degraded',
            detail: `${this.options.dir} holds no readable OHLCV files.`,
            info,
          };
        }

        return {
          state: 'up',
          detail: `${stats.series} series of ${stats.symbols} symbols from ${stats.filesRead} files.`,
          info,
        };
      }
    }
  }
}
