import { Module } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { AppConfig } from '../config/app-config.js';
import { MarketModule } from '../market/market.module.js';
import { ApiMetrics } from '../observability/metrics.js';
import { RedisService } from '../redis/redis.service.js';
import { FailoverService } from './failover.service.js';
import { createSources } from './source-factory.js';
import {
  MARKET_DATA_SOURCES,
  SourceRegistry,
} from './source-registry.service.js';

@Module({
  imports: [MarketModule],
  providers: [
    {
      provide: MARKET_DATA_SOURCES,
      inject: [AppConfig, Clock, RedisService, ApiMetrics],
      useFactory: (
        config: AppConfig,
        clock: Clock,
        redis: RedisService,
        metrics: ApiMetrics,
      ) =>
        createSources(config, {
          clock,
          redis: redis.client,
          observer: metrics,
        }),
    },
    SourceRegistry,
    FailoverService,
  ],
  exports: [SourceRegistry, FailoverService],
})
export class ProvidersModule {}
