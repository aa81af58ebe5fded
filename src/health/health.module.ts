import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { MarketCacheModule } from '../cache/cache.module.js';
import { ProvidersModule } from '../providers/providers.module.js';
import { StreamingModule } from '../streaming/streaming.module.js';
import { DependencyReport } from './dependency-report.service.js';
import { HealthController } from './health.controller.js';

/** Liveness, readiness and the health overview, for probes and operators. */
@Module({
  imports: [
    TerminusModule.forRoot({ logger: false }),
    MarketCacheModule,
    ProvidersModule,
    StreamingModule,
  ],
  controllers: [HealthController],
  providers: [DependencyReport],
})
export class HealthModule {}
