import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import {
  CAPABILITIES,
  type Capability,
  type SourceId,
} from '../providers/market-data-source.js';
import type { Settings } from './config.schema.js';
import { readSecurity, type SecuritySettings } from './security-config.js';
import {
  readUpstreams,
  UPSTREAM_IDS,
  type UpstreamId,
  type UpstreamSettings,
} from './upstream-config.js';

/**
 * Upstreams whose data stopped updating, which default lists try after every
 * live source. Nasdaq Data Link's WIKI prices end on 2018-03-27, so a history
 * request without a start date would otherwise get bars that stop there.
 */
const FROZEN_UPSTREAMS: ReadonlySet<UpstreamId> = new Set(['nasdaq_data_link']);

const LIST_SETTINGS: Readonly<Record<Capability, keyof Settings>> = {
  quote: 'QUOTE_PROVIDERS',
  history: 'HISTORY_PROVIDERS',
  profile: 'PROFILE_PROVIDERS',
  search: 'SEARCH_PROVIDERS',
  stream: 'STREAM_PROVIDERS',
};

/** Settings of the streaming module; times in milliseconds. */
export interface StreamingSettings {
  port: number;
  /** True when WS_PORT equals API_PORT, so both are served on one port. */
  sharesApiPort: boolean;
  maxConnections: number;
  heartbeatMs: number;
  maxSymbolsPerConnection: number;
  compression: boolean;
  maxBufferedBytes: number;
  slowConsumerTimeoutMs: number;
  /** Time a `/ws` client has to authenticate while authentication is on (ms). */
  authTimeoutMs: number;
  lingerMs: number;
  leaseMs: number;
  pollIntervalMs: number;
}

/**
 * The validated settings in the shape the modules use. Injected by class, so
 * consumers depend on this type rather than on environment names.
 */
export class AppConfig {
  readonly env: Settings['NODE_ENV'];
  readonly api: { host: string; port: number };
  readonly logLevel: Settings['LOG_LEVEL'];
  /** File that receives a copy of the log lines; null: standard output only. */
  readonly logFile: string | null;
  /** Limits past which readiness fails, and the drain before shutdown. */
  readonly health: {
    maxEventLoopLagMs: number;
    /** Null: 90 % of V8's heap size limit. */
    maxHeapBytes: number | null;
    shutdownDrainDelayMs: number;
  };
  readonly swaggerEnabled: boolean;
  readonly replay: { dir: string | null; speed: number };
  readonly simulated: { seed: number; symbols: string[] | null };
  /** Ordered sources per capability, after defaults are applied. */
  readonly providers: Readonly<Record<Capability, readonly SourceId[]>>;
  /** True when no list was configured and the embedded default applies. */
  readonly providersDefaulted: boolean;
  readonly upstreams: Readonly<Record<UpstreamId, UpstreamSettings>>;
  /** Time limits and resilience of upstream calls, in milliseconds. */
  readonly upstream: {
    timeoutMs: number;
    deadlineMs: number;
    retries: number;
    breakerFailures: number;
    breakerCooldownMs: number;
  };
  readonly yahooCookieUrl: string;
  /** Alpaca data feed: `iex` (free) or `sip` (all US exchanges, paid). */
  readonly alpacaFeed: 'iex' | 'sip';
  /** Upstream live streams: silence that counts as a dead connection, and the longest reconnect wait, in ms. */
  readonly streams: { staleAfterMs: number; reconnectMaxDelayMs: number };
  /** Live quote streaming to clients; times in ms. */
  readonly streaming: StreamingSettings;
  readonly redisUrl: string | null;
  /** Longest wait for one Redis command, in ms. */
  readonly redisCommandTimeoutMs: number;
  /** Cache lifetimes per data kind and limits, in milliseconds and entries. */
  readonly cache: {
    ttlMs: {
      quote: number;
      profile: number;
      marketStatus: number;
      history: number;
      other: number;
    };
    staleGraceMs: number;
    memoryTtlMs: number;
    memoryMaxEntries: number;
    lockLeaseMs: number;
    keyPrefix: string;
  };
  /** Authentication, rate limits, CORS and request-size limits. */
  readonly security: SecuritySettings;
  private readonly securityProblems: readonly string[];

  constructor(private readonly settings: Settings) {
    this.env = settings.NODE_ENV;
    this.api = { host: settings.API_HOST, port: settings.API_PORT };
    this.logLevel = settings.LOG_LEVEL;
    this.logFile = settings.LOG_FILE ? path.resolve(settings.LOG_FILE) : null;
    this.health = {
      maxEventLoopLagMs: settings.HEALTH_MAX_EVENT_LOOP_LAG_MS,
      maxHeapBytes:
        settings.HEALTH_MAX_HEAP_MB === undefined
          ? null
          : settings.HEALTH_MAX_HEAP_MB * 1024 * 1024,
      shutdownDrainDelayMs: settings.SHUTDOWN_DRAIN_DELAY * 1000,
    };
    this.swaggerEnabled = settings.SWAGGER_ENABLED;
    this.replay = {
      dir: settings.REPLAY_DIR ? path.resolve(settings.REPLAY_DIR) : null,
      speed: settings.REPLAY_SPEED,
    };
    this.simulated = {
      seed: settings.SIMULATED_SEED,
      symbols: settings.SIMULATED_SYMBOLS ?? null,
    };
    this.upstreams = readUpstreams(settings);
    this.upstream = {
      timeoutMs: settings.UPSTREAM_TIMEOUT * 1000,
      deadlineMs: settings.REQUEST_DEADLINE * 1000,
      retries: settings.UPSTREAM_RETRIES,
      breakerFailures: settings.CIRCUIT_BREAKER_FAILURES,
      breakerCooldownMs: settings.CIRCUIT_BREAKER_COOLDOWN * 1000,
    };
    this.yahooCookieUrl = settings.YAHOO_COOKIE_URL;
    this.alpacaFeed = settings.ALPACA_FEED;
    this.streams = {
      staleAfterMs: settings.STREAM_STALE_AFTER * 1000,
      reconnectMaxDelayMs: settings.STREAM_RECONNECT_MAX_DELAY * 1000,
    };
    this.streaming = {
      port: settings.WS_PORT,
      sharesApiPort: settings.WS_PORT === settings.API_PORT,
      maxConnections: settings.WS_MAX_CONNECTIONS,
      heartbeatMs: settings.WS_HEARTBEAT_INTERVAL * 1000,
      maxSymbolsPerConnection: settings.WS_MAX_SYMBOLS_PER_CONNECTION,
      compression: settings.WS_COMPRESSION,
      maxBufferedBytes: settings.WS_MAX_BUFFERED_BYTES,
      slowConsumerTimeoutMs: settings.WS_SLOW_CONSUMER_TIMEOUT * 1000,
      authTimeoutMs: settings.WS_AUTH_TIMEOUT * 1000,
      lingerMs: settings.STREAM_LINGER * 1000,
      leaseMs: settings.STREAM_LEASE * 1000,
      pollIntervalMs: settings.STREAM_POLL_INTERVAL * 1000,
    };
    this.redisUrl = settings.REDIS_URL ?? null;
    this.redisCommandTimeoutMs = settings.REDIS_COMMAND_TIMEOUT * 1000;
    this.cache = {
      ttlMs: {
        quote: settings.CACHE_TTL_QUOTE * 1000,
        profile: settings.CACHE_TTL_PROFILE * 1000,
        marketStatus: settings.CACHE_TTL_MARKET_STATUS * 1000,
        history: settings.CACHE_TTL_HISTORY * 1000,
        other: settings.CACHE_TTL * 1000,
      },
      staleGraceMs: settings.CACHE_STALE_GRACE * 1000,
      memoryTtlMs: settings.CACHE_MEMORY_TTL * 1000,
      memoryMaxEntries: settings.CACHE_MEMORY_MAX_ENTRIES,
      lockLeaseMs: settings.CACHE_LOCK_LEASE * 1000,
      keyPrefix: settings.CACHE_KEY_PREFIX,
    };
    const security = readSecurity(settings);
    this.security = security.security;
    this.securityProblems = security.problems;
    const lists = CAPABILITIES.map((capability) => {
      const configured = settings[LIST_SETTINGS[capability]] as
        SourceId[] | undefined;
      return [capability, configured ?? this.defaultSources()] as const;
    });
    this.providers = Object.fromEntries(lists) as Record<
      Capability,
      SourceId[]
    >;
    this.providersDefaulted = CAPABILITIES.every(
      (capability) => settings[LIST_SETTINGS[capability]] === undefined,
    );
  }

  /** Lists every source named in a provider list, in first-mention order. */
  enabledSources(): SourceId[] {
    return [...new Set(Object.values(this.providers).flat())];
  }

  /**
   * Cross-setting rules the schema cannot state: a list may not name replay
   * without REPLAY_DIR, nor a source twice, and the security settings must
   * fit together (see readSecurity).
   */
  problems(): string[] {
    const problems: string[] = [...this.securityProblems];
    const replayProblem = this.replay.dir && folderProblem(this.replay.dir);
    if (replayProblem) {
      problems.push(
        `REPLAY_DIR="${this.settings.REPLAY_DIR ?? ''}" is invalid: ${replayProblem}.`,
      );
    }
    for (const capability of CAPABILITIES) {
      const name = LIST_SETTINGS[capability];
      const configured = this.settings[name] as SourceId[] | undefined;
      if (!configured) continue;
      const shown = configured.join(',');
      if (configured.length === 0) {
        problems.push(
          `${name}="" is invalid: expected at least one source such as replay or simulated.`,
        );
      }
      if (new Set(configured).size !== configured.length) {
        problems.push(
          `${name}="${shown}" is invalid: a source may appear only once.`,
        );
      }
      if (configured.includes('replay') && !this.replay.dir) {
        problems.push(
          `${name}="${shown}" names replay, but REPLAY_DIR is not set; set REPLAY_DIR to a folder of CSV files.`,
        );
      }
    }

    return problems;
  }

  /**
   * Default lists: replay first when REPLAY_DIR is set, then every enabled
   * live upstream, then enabled upstreams with frozen data. Simulated data is
   * never served in place of real data unless a list names it, so it is the
   * default only when nothing real is configured.
   */
  private defaultSources(): SourceId[] {
    const enabled = UPSTREAM_IDS.filter((id) => this.upstreams[id].enabled);
    const real: SourceId[] = [
      ...(this.replay.dir ? (['replay'] as const) : []),
      ...enabled.filter((id) => !FROZEN_UPSTREAMS.has(id)),
      ...enabled.filter((id) => FROZEN_UPSTREAMS.has(id)),
    ];

    return real.length > 0 ? real : ['simulated'];
  }
}

/** Says why a folder cannot be read, or returns null when it can. */
function folderProblem(dir: string): string | null {
  try {
    if (!statSync(dir).isDirectory()) return `${dir} is not a folder`;
    accessSync(dir, constants.R_OK | constants.X_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT'
      ? `the folder ${dir} does not exist`
      : `the folder ${dir} cannot be read (${code ?? 'unknown error'})`;
  }

  return null;
}
