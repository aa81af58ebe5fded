import { Logger } from '@nestjs/common';
import { createApp } from './app.setup.js';
import type { AppConfig } from './config/app-config.js';
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
  const logger = new Logger('Main');
  const sources = config.enabledSources().join(', ');
  if (config.providersDefaulted && !config.replay.dir) {
    logger.log(
      `Serving simulated data: no source is configured (set REPLAY_DIR or a provider list for real data)`,
    );
  } else {
    logger.log(`Serving data from ${sources}`);
  }
  const docs = config.swaggerEnabled ? '; API docs at /docs' : '';
  logger.log(`Listening on ${await app.getUrl()}${docs}`);
}

await main();
