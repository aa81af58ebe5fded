import KeyvRedis from '@keyv/redis';
import { CacheModule } from '@nestjs/cache-manager';
import { Module } from '@nestjs/common';
import { Keyv } from 'keyv';
import { LRUCache } from 'lru-cache';
import { AppConfig } from '../config/app-config.js';
import { RedisService } from '../redis/redis.service.js';
import { MarketCache } from './market-cache.service.js';
import { HitFastPath } from './hit-fast-path.service.js';
import { SharedStore } from './shared-store.service.js';

/**
 * Creates the store of the shared tier: Redis through Keyv on the one shared client
 * when REDIS_URL is set, else a bounded in-process map.
 */
function sharedStore(config: AppConfig, redis: RedisService): Keyv {
  const store = redis.client
    ? new KeyvRedis(redis.client)
    : new LRUCache<string, object | string>({
        max: Math.max(config.cache.memoryMaxEntries, 1),
      });
  const keyv = new Keyv({ store, namespace: '', useKeyPrefix: false });
  // Failures reach the cache manager's events; this only keeps Keyv from
  // treating an error without a listener as fatal.
  keyv.on('error', () => undefined);

  return keyv;
}

/** The two-tier market data cache, on Nest's cache manager. */
@Module({
  imports: [
    CacheModule.registerAsync({
      inject: [AppConfig, RedisService],
      useFactory: (config: AppConfig, redis: RedisService) => ({
        stores: [sharedStore(config, redis)],
      }),
    }),
  ],
  providers: [SharedStore, MarketCache, HitFastPath],
  exports: [MarketCache, HitFastPath],
})
export class MarketCacheModule {}
