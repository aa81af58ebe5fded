import type { Observable } from 'rxjs';
import type {
  Adjustment,
  Bar,
  CorporateAction,
  Coverage,
} from '../market/bar.js';
import type { Interval } from '../market/interval.js';
import type { Profile, SymbolMatch } from '../market/profile.js';
import type { Quote, Tick } from '../market/quote.js';
import type { Instrument } from '../market/symbol.js';

/** Identifiers of the sources this build has, as used in lists such as `QUOTE_PROVIDERS`. */
export const SOURCE_IDS = [
  'polygon',
  'alpaca',
  'finnhub',
  'alpha_vantage',
  'nasdaq_data_link',
  'yahoo',
  'coinbase',
  'replay',
  'simulated',
] as const;

export type SourceId = (typeof SOURCE_IDS)[number];

export const CAPABILITIES = [
  'quote',
  'history',
  'profile',
  'search',
  'stream',
] as const;

export type Capability = (typeof CAPABILITIES)[number];

/**
 * A history request as sources receive it. Bounds are inclusive epoch
 * milliseconds compared with `Bar.time`, so a daily bound is midnight UTC of
 * the trading date.
 */
export interface HistoryQuery {
  instrument: Instrument;
  interval: Interval;
  start: number | null;
  end: number;
  /** Upper bound on the bars the caller will use, counted back from `end` when `start` is null. */
  limit: number;
  adjusted: boolean;
}

/** Bars a source returns for a history query, before paging. */
export interface HistoryResult {
  bars: Bar[];
  events: CorporateAction[];
  adjustment: Adjustment;
  /** Time zone in which daily bars are dated. */
  timeZone: string;
  /** What the source holds for this series, when it is a fixed data set. */
  coverage?: Coverage;
  asOf: number;
}

/**
 * A change in a feed's health: `feed_stale` when a source went silent or
 * lost its connection (quotes of those symbols are then stale), and
 * `feed_resumed` once ticks flow again.
 */
export interface FeedEvent {
  code: 'feed_stale' | 'feed_resumed';
  symbols: string[];
  detail: string;
}

/** Live ticks per symbol; one instance per source, shared by every subscriber. */
export interface TickStream {
  subscribe(instruments: readonly Instrument[]): void;
  unsubscribe(symbols: readonly string[]): void;
  readonly ticks: Observable<Tick>;
  /** Health changes of upstream streams; embedded streams have none. */
  readonly events?: Observable<FeedEvent>;
  close(): Promise<void>;
}

export type SourceState = 'up' | 'degraded' | 'down' | 'disabled';

/** A source's own account of itself, shown by `GET /api/providers`. */
export interface SourceStatus {
  state: SourceState;
  detail: string;
  /** Source-specific figures, e.g. how many files and series replay loaded. */
  info?: Record<string, unknown>;
}

/**
 * One market data source behind the common interface. Methods of capabilities
 * the source lacks are absent. Expected failures are thrown as ApiError
 * subclasses: SymbolNotFoundError when the source does not know the symbol,
 * DataNotAvailableError when it knows it but not for the requested range.
 */
export interface MarketDataSource {
  readonly id: SourceId;
  /** Human-readable name for status pages. */
  readonly name: string;
  /** Embedded sources need no network; upstream ones call an external API. */
  readonly kind: 'embedded' | 'upstream';
  readonly capabilities: ReadonlySet<Capability>;
  getQuote?(instrument: Instrument): Promise<Quote>;
  getHistory?(query: HistoryQuery): Promise<HistoryResult>;
  getProfile?(instrument: Instrument): Promise<Profile>;
  search?(query: string, limit: number): Promise<SymbolMatch[]>;
  readonly stream?: TickStream;
  status(): SourceStatus | Promise<SourceStatus>;
}
