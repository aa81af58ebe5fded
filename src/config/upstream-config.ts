import type { Settings } from './config.schema.js';

/** Upstream sources, in the order default provider lists try them. */
export const UPSTREAM_IDS = ['polygon', 'alpha_vantage', 'yahoo'] as const;

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
  key: string | null;
  baseUrl: string;
  quota: QuotaLimits;
}

const PREFIXES: Readonly<
  Record<UpstreamId, 'POLYGON' | 'ALPHA_VANTAGE' | 'YAHOO'>
> = {
  polygon: 'POLYGON',
  alpha_vantage: 'ALPHA_VANTAGE',
  yahoo: 'YAHOO',
};

/**
 * Reads each upstream's settings. Alpha Vantage and Polygon are on when their
 * key is set, unless `<SOURCE>_ENABLED=false`; without a key they stay off
 * whatever the `_ENABLED` value. Yahoo needs no key but is unofficial, so it is
 * off until `YAHOO_ENABLED=true`.
 */
export function readUpstreams(
  settings: Settings,
): Record<UpstreamId, UpstreamSettings> {
  const keys: Record<UpstreamId, string | null> = {
    polygon: settings.POLYGON_KEY ?? null,
    alpha_vantage: settings.ALPHA_VANTAGE_KEY ?? null,
    yahoo: null,
  };
  const entries = UPSTREAM_IDS.map((id) => {
    const prefix = PREFIXES[id];
    const switched = settings[`${prefix}_ENABLED`];
    const key = keys[id];
    const needsKey = id !== 'yahoo';
    let disabledReason: string | null = null;
    if (needsKey && !key) disabledReason = `${prefix}_KEY is not set`;
    else if (!needsKey && switched !== true)
      disabledReason = `${prefix}_ENABLED is not true`;
    else if (switched === false) disabledReason = `${prefix}_ENABLED is false`;

    const upstream: UpstreamSettings = {
      id,
      enabled: disabledReason === null,
      disabledReason,
      key,
      baseUrl: settings[`${prefix}_BASE_URL`],
      quota: {
        perSecond: settings[`${prefix}_QUOTA_PER_SECOND`],
        perMinute: settings[`${prefix}_QUOTA_PER_MINUTE`],
        perDay: settings[`${prefix}_QUOTA_PER_DAY`],
      },
    };

    return [id, upstream] as const;
  });

  return Object.fromEntries(entries) as Record<UpstreamId, UpstreamSettings>;
}
