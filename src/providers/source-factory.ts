import { Logger } from '@nestjs/common';
import type { Clock } from '../common/clock.js';
import type { AppConfig } from '../config/app-config.js';
import type { MarketDataSource, SourceId } from './market-data-source.js';
import { ReplaySource } from './replay/replay.adapter.js';
import { SimulatedSource } from './simulated/simulated.adapter.js';

type SourceFactory = (
  config: AppConfig,
  clock: Clock,
) => Promise<MarketDataSource>;

/** Builds each source this build has, from its settings. */
const FACTORIES: Readonly<Record<SourceId, SourceFactory>> = {
  replay: async (config, clock) => {
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
  },
  simulated: (config, clock) =>
    Promise.resolve(
      new SimulatedSource({
        seed: config.simulated.seed,
        symbols: config.simulated.symbols ?? undefined,
        logger: new Logger('SimulatedSource'),
        now: () => clock.now(),
      }),
    ),
};

/** Creates and loads every source named in a provider list, in first-mention order. */
export async function createSources(
  config: AppConfig,
  clock: Clock,
): Promise<MarketDataSource[]> {
  const sources: MarketDataSource[] = [];
  for (const id of config.enabledSources()) {
    sources.push(await FACTORIES[id](config, clock));
  }

  return sources;
}
