import { Global, Module } from '@nestjs/common';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { MarketCacheModule } from '../cache/cache.module.js';
import { ProcessStats } from '../health/process-stats.service.js';
import { ShutdownState } from '../health/shutdown.js';
import { ProvidersModule } from '../providers/providers.module.js';
import { StreamingModule } from '../streaming/streaming.module.js';
import { MetricsController } from './metrics.controller.js';
import { ApiMetrics } from './metrics.js';
import { MetricsReaders } from './metrics-readers.service.js';

/**
 * The metrics registry, process figures and shutdown state every module may
 * use. One instance per application, so two apps in one process stay apart.
 */
@Global()
@Module({
  providers: [ApiMetrics, ProcessStats, ShutdownState],
  exports: [ApiMetrics, ProcessStats, ShutdownState],
})
export class ObservabilityModule {}

/**
 * `/metrics` through @willsoto/nestjs-prometheus with this app's registry.
 * Its default metrics are off because they would go to prom-client's global
 * registry; ApiMetrics collects them into its own.
 */
@Module({
  imports: [
    PrometheusModule.register({
      controller: MetricsController,
      defaultMetrics: { enabled: false },
    }),
    MarketCacheModule,
    ProvidersModule,
    StreamingModule,
  ],
  providers: [MetricsReaders],
})
export class MetricsModule {}
