import type { Settings } from './config.schema.js';

/**
 * Upstream sources, in the order status pages list them and default provider
 * lists try them, except that AppConfig moves sources with frozen data last.
 */
export const UPSTREAM_IDS = [
  'polygon',
  'alpaca',
  'finnhub',
  'alpha_vantage',
  'nasdaq_data_link',
  'yahoo',
  'coinbase',
] as const;

export type UpstreamId = (typeof UPSTREAM_IDS)[number];

/** Requests a source accepts per window; 0 means no limit. */
export interface QuotaLimits {
  perSecond: number;
  perMinute: number;
  perDay: number;
}

/** How to reach one upstream source, and whether it may be called at all. */
export interface UpstreamSettings {
  id: UpstreamId;
  enabled: boolean;
  /** Reason the source is off, e.g. a missing key; null when enabled. */
  disabledReason: string | null;
  /** API key or key id; null for keyless sources. */
  key: string | null;
  /** Second credential, for sources that take a key id and a secret. */
  secret: string | null;
  baseUrl: string;
  /** WebSocket URL of the source's live stream, for sources that have one. */
  streamUrl: string | null;
  quota: QuotaLimits;
}

type Prefix =
  | 'POLYGON'
  | 'ALPACA'
  | 'FINNHUB'
  | 'ALPHA_VANTAGE'
  | 'NASDAQ_DATA_LINK'
  | 'YAHOO'
  | 'COINBASE';

/** Settings that hold credentials, names of streams, and whether a source is keyless. */
interface Definition {
  prefix: Prefix;
  key?:
    | 'POLYGON_KEY'
    | 'ALPACA_KEY_ID'
    | 'FINNHUB_KEY'
    | 'ALPHA_VANTAGE_KEY'
    | 'QUANDL_KEY';
  secret?: 'ALPACA_SECRET_KEY';
  stream?:
    | 'POLYGON_STREAM_URL'
    | 'ALPACA_STREAM_URL'
    | 'FINNHUB_STREAM_URL'
    | 'COINBASE_STREAM_URL';
}

const DEFINITIONS: Readonly<Record<UpstreamId, Definition>> = {
  polygon: {
    prefix: 'POLYGON',
    key: 'POLYGON_KEY',
    stream: 'POLYGON_STREAM_URL',
  },
  alpaca: {
    prefix: 'ALPACA',
    key: 'ALPACA_KEY_ID',
    secret: 'ALPACA_SECRET_KEY',
    stream: 'ALPACA_STREAM_URL',
  },
  finnhub: {
    prefix: 'FINNHUB',
    key: 'FINNHUB_KEY',
    stream: 'FINNHUB_STREAM_URL',
  },
  alpha_vantage: { prefix: 'ALPHA_VANTAGE', key: 'ALPHA_VANTAGE_KEY' },
  nasdaq_data_link: { prefix: 'NASDAQ_DATA_LINK', key: 'QUANDL_KEY' },
  yahoo: { prefix: 'YAHOO' },
  coinbase: { prefix: 'COINBASE', stream: 'COINBASE_STREAM_URL' },
};

/**
 * Reads each upstream's settings. A source with a key is on when its key
 * (and secret, where it takes one) is set, unless `<SOURCE>_ENABLED=false`;
 * without them it stays off whatever the `_ENABLED` value. Keyless sources
 * (Yahoo, which is unofficial, and Coinbase) stay off until
 * `<SOURCE>_ENABLED=true`, so a fresh start never reaches the network.
 */
export function readUpstreams(
  settings: Settings,
): Record<UpstreamId, UpstreamSettings> {
  const entries = UPSTREAM_IDS.map(
    (id) => [id, readUpstream(id, settings)] as const,
  );

  return Object.fromEntries(entries) as Record<UpstreamId, UpstreamSettings>;
}

function readUpstream(id: UpstreamId, settings: Settings): UpstreamSettings {
  const definition = DEFINITIONS[id];
  const { prefix } = definition;
  const key = definition.key ? (settings[definition.key] ?? null) : null;
  const secret = definition.secret
    ? (settings[definition.secret] ?? null)
    : null;
  const disabledReason = disabledBecause(
    definition,
    settings[`${prefix}_ENABLED`],
    key,
    secret,
  );

  return {
    id,
    enabled: disabledReason === null,
    disabledReason,
    key,
    secret,
    baseUrl: settings[`${prefix}_BASE_URL`],
    streamUrl: definition.stream ? settings[definition.stream] : null,
    quota: {
      perSecond: settings[`${prefix}_QUOTA_PER_SECOND`],
      perMinute: settings[`${prefix}_QUOTA_PER_MINUTE`],
      perDay: settings[`${prefix}_QUOTA_PER_DAY`],
    },
  };
}

function disabledBecause(
  definition: Definition,
  switched: boolean | undefined,
  key: string | null,
  secret: string | null,
): string | null {
  if (definition.key && !key) return `${definition.key} is not set`;
  if (definition.secret && !secret) return `${definition.secret} is not set`;
  if (!definition.key && switched !== true)
    return `${definition.prefix}_ENABLED is not true`;
  if (switched === false) return `${definition.prefix}_ENABLED is false`;

  return null;
}
