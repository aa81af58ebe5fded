import { Logger } from '@nestjs/common';
import type { RedisClientType } from 'redis';
import type { Clock } from '../common/clock.js';
import type { AppConfig } from '../config/app-config.js';
import { UPSTREAM_IDS, type UpstreamId } from '../config/upstream-config.js';
import { AlpacaSource } from './alpaca/alpaca.adapter.js';
import type { MarketDataSource } from './market-data-source.js';
import { ReplaySource } from './replay/replay.adapter.js';
import { SimulatedSource } from './simulated/simulated.adapter.js';
import { UPSTREAM_ADAPTERS } from './upstream-adapters.js';
import { SourceQuota } from './upstream/source-quota.js';
import {
  type UpstreamCallObserver,
  UpstreamHttpClient,
} from './upstream/upstream-http.client.js';
import type { UpstreamContext } from './upstream/upstream-source.js';
import { YahooSource } from './yahoo/yahoo.adapter.js';

/** Dependencies of source constructors besides the settings. */
export interface SourceDependencies {
  clock: Clock;
  redis: RedisClientType | null;
  /** Observer of upstream call outcomes and times, for metrics. */
  observer?: UpstreamCallObserver;
}

async function createReplay(
  config: AppConfig,
  clock: Clock,
): Promise<MarketDataSource> {
  const { dir, speed } = config.replay;
  if (!dir)
    throw new Error('REPLAY_DIR must be set to enable the replay source.');
  const source = new ReplaySource({
    dir,
    speed,
    logger: new Logger('ReplaySource'),
    now: () => clock.now(),
  });
  await source.load();

  return source;
}

function createSimulated(config: AppConfig, clock: Clock): MarketDataSource {
  return new SimulatedSource({
    seed: config.simulated.seed,
    symbols: config.simulated.symbols ?? undefined,
    logger: new Logger('SimulatedSource'),
    now: () => clock.now(),
  });
}

/** Builds an upstream adapter with its own HTTP client and quota. */
export function createUpstream(
  id: UpstreamId,
  config: AppConfig,
  dependencies: SourceDependencies,
): MarketDataSource {
  const settings = config.upstreams[id];
  const Adapter = UPSTREAM_ADAPTERS[id];
  if (!Adapter) throw new Error(`The ${id} source is not part of this build.`);
  const quota = new SourceQuota(
    id,
    settings.key,
    settings.quota,
    dependencies.redis,
    config.redisCommandTimeoutMs,
  );
  const client = new UpstreamHttpClient({
    source: id,
    baseUrl: settings.baseUrl,
    secrets: [settings.key, settings.secret].filter(
      (value): value is string => value !== null,
    ),
    timeoutMs: config.upstream.timeoutMs,
    retries: config.upstream.retries,
    breakerFailures: config.upstream.breakerFailures,
    breakerCooldownMs: config.upstream.breakerCooldownMs,
    quota,
    observer: dependencies.observer,
  });
  const context: UpstreamContext = {
    settings,
    client,
    quota,
    clock: dependencies.clock,
    logger: new Logger(`Source:${id}`),
    streams: config.streams,
  };
  // Alpaca reads the stock feed ALPACA_FEED names: iex (free) or sip.
  if (id === 'alpaca')
    return new AlpacaSource(context, { feed: config.alpacaFeed });
  // Yahoo takes its consent cookie from a second origin, YAHOO_COOKIE_URL.
  if (id === 'yahoo')
    return new YahooSource(context, { cookieUrl: config.yahooCookieUrl });

  return new Adapter(context);
}

/**
 * Creates and loads every source named in a provider list, in first-mention
 * order. Disabled upstreams are not built: they are never called.
 */
export async function createSources(
  config: AppConfig,
  dependencies: SourceDependencies,
): Promise<MarketDataSource[]> {
  const sources: MarketDataSource[] = [];
  for (const id of config.enabledSources()) {
    if (id === 'replay')
      sources.push(await createReplay(config, dependencies.clock));
    else if (id === 'simulated')
      sources.push(createSimulated(config, dependencies.clock));
    else if (config.upstreams[id].enabled)
      sources.push(createUpstream(id, config, dependencies));
  }

  return sources;
}

/** Upstream sources that are off, with the reason, for status pages. */
export function disabledUpstreams(
  config: AppConfig,
): { id: UpstreamId; reason: string }[] {
  return UPSTREAM_IDS.filter((id) => !config.upstreams[id].enabled).map(
    (id) => ({
      id,
      reason: config.upstreams[id].disabledReason ?? 'disabled',
    }),
  );
}
