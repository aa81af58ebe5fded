import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from './app.setup.js';
import { GracefulShutdown } from './health/shutdown.js';
import { flushLog, pinoLoggerOf } from './observability/logger.js';
import type { AppConfig } from './config/app-config.js';
import { UPSTREAM_IDS, type UpstreamId } from './config/upstream-config.js';
import type { SourceId } from './providers/market-data-source.js';
import { ConfigError, loadConfig } from './config/config.loader.js';

async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }

  let app: Awaited<ReturnType<typeof createApp>>;
  try {
    app = await createApp(config);
    await app.listen(config.api.port, config.api.host);
  } catch (error) {
    console.error(
      `Start-up failed: ${error instanceof Error ? error.message : String(error)}`,
    );
    process.exit(1);
  }
  handleSignals(app);
  logSources(config);
  const docs = config.swaggerEnabled ? '; API docs at /docs' : '';
  new Logger('Main').log(`Listening on ${await app.getUrl()}${docs}`);
}

/**
 * Shuts down gracefully on SIGTERM, after the drain delay, and on SIGINT or
 * SIGHUP without it. A second signal of any kind ends the drain delay at once.
 */
function handleSignals(app: NestFastifyApplication): void {
  const shutdown = new GracefulShutdown(app);
  const logger = pinoLoggerOf(app.getHttpAdapter().getInstance().log);
  let started = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (started) {
      shutdown.skipDrain();
      return;
    }
    started = true;
    void shutdown.run(signal).then((code) => {
      if (logger) flushLog(logger);
      process.exit(code);
    });
    if (signal !== 'SIGTERM') shutdown.skipDrain();
  };
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const)
    process.on(signal, onSignal);
}

/** Says at start-up which sources serve data, and which listed ones are off. */
function logSources(config: AppConfig): void {
  const logger = new Logger('Main');
  const listed = config.enabledSources();
  const isOn = (id: SourceId) =>
    !isUpstreamId(id) || config.upstreams[id].enabled;
  for (const id of listed.filter((source) => !isOn(source))) {
    if (!isUpstreamId(id)) continue;
    logger.warn(
      `${id} is named in a provider list but disabled: ${config.upstreams[id].disabledReason ?? 'disabled'}`,
    );
  }
  const serving = listed.filter(isOn);
  if (serving.length === 1 && serving[0] === 'simulated') {
    logger.log(
      'Serving simulated data: no real source is configured (set REPLAY_DIR or an API key for real data)',
    );
    return;
  }
  logger.log(`Serving data from ${serving.join(', ')}`);
}

function isUpstreamId(id: SourceId): id is UpstreamId {
  return (UPSTREAM_IDS as readonly string[]).includes(id);
}

await main();
