import { z } from 'zod';
import { SOURCE_IDS } from '../providers/market-data-source.js';
import {
  boolean,
  decimal,
  host,
  httpUrl,
  wsUrl,
  integer,
  list,
  oneOf,
  proxyAddress,
  rateLimitTier,
  redisUrl,
  symbol,
  text,
} from './config.fields.js';

export const LOG_LEVELS = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
] as const;

/** JWS algorithms a token may be signed with; `none` is never accepted. */
export const JWT_ALGORITHMS = [
  'HS256',
  'HS384',
  'HS512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
] as const;

const sourceId = oneOf(SOURCE_IDS);
const sourceList = list(sourceId, 'replay,simulated');

/**
 * Settings every upstream source has: whether it is on, its base URL and its
 * request budget per second, minute and day (0 means no limit).
 */
function upstreamSettings<const Prefix extends string>(
  prefix: Prefix,
  baseUrl: string,
  quota: { second: number; minute: number; day: number },
) {
  return {
    [`${prefix}_ENABLED`]: boolean().optional(),
    [`${prefix}_BASE_URL`]: httpUrl().default(baseUrl),
    [`${prefix}_QUOTA_PER_SECOND`]: integer(0, 1_000_000, 'requests').default(
      quota.second,
    ),
    [`${prefix}_QUOTA_PER_MINUTE`]: integer(0, 1_000_000, 'requests').default(
      quota.minute,
    ),
    [`${prefix}_QUOTA_PER_DAY`]: integer(0, 100_000_000, 'requests').default(
      quota.day,
    ),
  } as Record<`${Prefix}_ENABLED`, z.ZodOptional<ReturnType<typeof boolean>>> &
    Record<`${Prefix}_BASE_URL`, z.ZodDefault<ReturnType<typeof httpUrl>>> &
    Record<
      `${Prefix}_QUOTA_PER_${'SECOND' | 'MINUTE' | 'DAY'}`,
      z.ZodDefault<ReturnType<typeof integer>>
    >;
}

/**
 * Every setting the service reads, by its environment name, with its default.
 * `.env.example` documents the same names; a unit test keeps the two in step.
 */
export const SETTINGS = {
  NODE_ENV: oneOf(['development', 'production', 'test']).default('development'),
  API_HOST: host().default('127.0.0.1'),
  API_PORT: integer(0, 65_535).default(8000),
  LOG_LEVEL: oneOf(LOG_LEVELS).default('info'),
  LOG_FILE: text().optional(),
  HEALTH_MAX_EVENT_LOOP_LAG_MS: integer(1, 600_000, 'milliseconds').default(
    1000,
  ),
  HEALTH_MAX_HEAP_MB: integer(1, 1_048_576, 'MiB').optional(),
  SHUTDOWN_DRAIN_DELAY: decimal(0, 600, 'seconds').default(5),
  SWAGGER_ENABLED: boolean().default(true),
  REPLAY_DIR: text().optional(),
  REPLAY_SPEED: decimal(0.001, 1_000_000, 'multiplier of real time').default(
    60,
  ),
  SIMULATED_SYMBOLS: list(symbol(), 'AAPL,BTC-USD,EUR-USD').optional(),
  SIMULATED_SEED: integer(0, 2_147_483_647).default(42),
  QUOTE_PROVIDERS: sourceList.optional(),
  HISTORY_PROVIDERS: sourceList.optional(),
  PROFILE_PROVIDERS: sourceList.optional(),
  SEARCH_PROVIDERS: sourceList.optional(),
  STREAM_PROVIDERS: sourceList.optional(),
  REDIS_URL: redisUrl().optional(),
  REDIS_COMMAND_TIMEOUT: decimal(0.01, 60, 'seconds').default(0.25),
  CACHE_TTL: decimal(0, 604_800, 'seconds').default(300),
  CACHE_TTL_QUOTE: decimal(0, 604_800, 'seconds').default(60),
  CACHE_TTL_PROFILE: decimal(0, 604_800, 'seconds').default(3600),
  CACHE_TTL_MARKET_STATUS: decimal(0, 604_800, 'seconds').default(300),
  CACHE_TTL_HISTORY: decimal(0, 604_800, 'seconds').default(1800),
  CACHE_STALE_GRACE: decimal(0, 604_800, 'seconds').default(3600),
  CACHE_MEMORY_TTL: decimal(0, 3600, 'seconds').default(5),
  CACHE_MEMORY_MAX_ENTRIES: integer(0, 10_000_000, 'entries').default(10_000),
  CACHE_LOCK_LEASE: decimal(0.1, 600, 'seconds').default(10),
  CACHE_KEY_PREFIX: text()
    .regex(/^[\w.-]{1,40}$/, {
      error: 'expected 1 to 40 letters, digits, dots, dashes or underscores',
    })
    .default('mda'),
  UPSTREAM_TIMEOUT: decimal(0.1, 120, 'seconds').default(5),
  REQUEST_DEADLINE: decimal(0.5, 600, 'seconds').default(15),
  UPSTREAM_RETRIES: integer(0, 10).default(2),
  CIRCUIT_BREAKER_FAILURES: integer(1, 1000).default(5),
  CIRCUIT_BREAKER_COOLDOWN: decimal(0.1, 3600, 'seconds').default(30),
  ...upstreamSettings('POLYGON', 'https://api.polygon.io', {
    second: 0,
    minute: 5,
    day: 0,
  }),
  POLYGON_KEY: text().optional(),
  POLYGON_STREAM_URL: wsUrl().default('wss://socket.polygon.io'),
  ...upstreamSettings('ALPACA', 'https://data.alpaca.markets', {
    second: 0,
    minute: 200,
    day: 0,
  }),
  ALPACA_KEY_ID: text().optional(),
  ALPACA_SECRET_KEY: text().optional(),
  ALPACA_FEED: oneOf(['iex', 'sip']).default('iex'),
  ALPACA_STREAM_URL: wsUrl().default('wss://stream.data.alpaca.markets'),
  ...upstreamSettings('FINNHUB', 'https://finnhub.io/api/v1', {
    second: 30,
    minute: 60,
    day: 0,
  }),
  FINNHUB_KEY: text().optional(),
  FINNHUB_STREAM_URL: wsUrl().default('wss://ws.finnhub.io'),
  ...upstreamSettings('ALPHA_VANTAGE', 'https://www.alphavantage.co', {
    second: 1,
    minute: 0,
    day: 25,
  }),
  ALPHA_VANTAGE_KEY: text().optional(),
  ...upstreamSettings('NASDAQ_DATA_LINK', 'https://data.nasdaq.com/api/v3', {
    second: 30,
    minute: 0,
    day: 50_000,
  }),
  QUANDL_KEY: text().optional(),
  ...upstreamSettings('YAHOO', 'https://query2.finance.yahoo.com', {
    second: 0,
    minute: 100,
    day: 0,
  }),
  YAHOO_COOKIE_URL: httpUrl().default('https://fc.yahoo.com'),
  ...upstreamSettings('COINBASE', 'https://api.exchange.coinbase.com', {
    second: 10,
    minute: 0,
    day: 0,
  }),
  COINBASE_STREAM_URL: wsUrl().default('wss://ws-feed.exchange.coinbase.com'),
  STREAM_STALE_AFTER: decimal(1, 3600, 'seconds').default(60),
  STREAM_RECONNECT_MAX_DELAY: decimal(0.1, 600, 'seconds').default(30),
  WS_PORT: integer(0, 65_535).default(8001),
  WS_MAX_CONNECTIONS: integer(1, 1_000_000, 'connections').default(10_000),
  WS_HEARTBEAT_INTERVAL: decimal(0.5, 3600, 'seconds').default(25),
  WS_MAX_SYMBOLS_PER_CONNECTION: integer(1, 10_000, 'symbols').default(100),
  WS_COMPRESSION: boolean().default(false),
  WS_MAX_BUFFERED_BYTES: integer(1024, 1_073_741_824, 'bytes').default(
    1_048_576,
  ),
  WS_SLOW_CONSUMER_TIMEOUT: decimal(0.1, 3600, 'seconds').default(10),
  WS_AUTH_TIMEOUT: decimal(0.1, 3600, 'seconds').default(10),
  STREAM_LINGER: decimal(0, 3600, 'seconds').default(30),
  STREAM_LEASE: decimal(1, 600, 'seconds').default(10),
  STREAM_POLL_INTERVAL: decimal(0.05, 3600, 'seconds').default(5),
  STREAM_MESSAGE_RATE_LIMIT: integer(1, 10_000, 'messages a second').default(
    20,
  ),
  AUTH_ENABLED: boolean().optional(),
  JWT_SECRET: text().optional(),
  JWT_PUBLIC_KEY: text().optional(),
  JWT_JWKS_URL: httpUrl().optional(),
  JWT_JWKS_CACHE_TTL: decimal(1, 86_400, 'seconds').default(600),
  JWT_ISSUER: text().optional(),
  JWT_AUDIENCE: text().optional(),
  JWT_ALGORITHMS: list(
    z.string().pipe(
      z.enum(JWT_ALGORITHMS, {
        error: `expected one of ${JWT_ALGORITHMS.join(', ')}`,
      }),
    ),
    'RS256,ES256',
  ).optional(),
  JWT_CLOCK_TOLERANCE: decimal(0, 300, 'seconds').default(30),
  JWT_TOKEN_TTL: decimal(10, 86_400, 'seconds').default(900),
  API_KEYS_FILE: text().optional(),
  AUTH_TOKEN_RATE_LIMIT: integer(1, 1_000_000, 'requests').default(10),
  RATE_LIMIT_REQUESTS: integer(0, 100_000_000, 'requests').default(1000),
  RATE_LIMIT_WINDOW: decimal(1, 86_400, 'seconds').default(60),
  RATE_LIMIT_TIERS: list(rateLimitTier(), 'free:100,pro:10000').optional(),
  TRUSTED_PROXIES: list(proxyAddress(), '10.0.0.0/8,127.0.0.1').optional(),
  CORS_ORIGINS: list(text(), 'https://app.example.com').optional(),
  CORS_METHODS: list(text(), 'GET,HEAD,POST,OPTIONS').default([
    'GET',
    'HEAD',
    'POST',
    'OPTIONS',
  ]),
  CORS_HEADERS: list(text(), 'Authorization,Content-Type').default([
    'Authorization',
    'Content-Type',
    'X-API-Key',
    'X-Request-Id',
  ]),
  REQUEST_BODY_LIMIT: integer(64, 104_857_600, 'bytes').default(16_384),
  REQUEST_HEADER_LIMIT: integer(1024, 1_048_576, 'bytes').default(16_384),
} as const;

export type SettingName = keyof typeof SETTINGS;

export const settingsSchema = z.object(SETTINGS);

export type Settings = z.output<typeof settingsSchema>;
