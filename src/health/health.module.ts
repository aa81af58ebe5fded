import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { MarketCacheModule } from '../cache/cache.module.js';
import { HealthController } from './health.controller.js';

/** Liveness and readiness for load balancers and Kubernetes probes. */
@Module({
  imports: [TerminusModule.forRoot({ logger: false }), MarketCacheModule],
  controllers: [HealthController],
})
export class HealthModule {}
