import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Test } from '@nestjs/testing';
import { MarketCacheModule } from '../../src/cache/cache.module.js';
import { MarketCache } from '../../src/cache/market-cache.service.js';
import { ConfigModule } from '../../src/config/config.module.js';
import { RedisModule } from '../../src/redis/redis.module.js';

export interface CacheUnderTest {
  cache: MarketCache;
  close(): Promise<void>;
}

/**
 * Builds the cache module alone on the given settings (only those of `env`;
 * no `.env` or YAML of the checkout), with Redis when `env` names REDIS_URL.
 */
export async function startMarketCache(
  env: Record<string, string> = {},
): Promise<CacheUnderTest> {
  const cwd = mkdtempSync(path.join(tmpdir(), 'market-cache-'));
  const moduleRef = await Test.createTestingModule({
    imports: [
      ConfigModule.forRoot({ env: { LOG_LEVEL: 'error', ...env }, cwd }),
      RedisModule,
      MarketCacheModule,
    ],
  }).compile();
  await moduleRef.init();

  return {
    cache: moduleRef.get(MarketCache),
    close: () => moduleRef.close(),
  };
}
