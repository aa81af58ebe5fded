import { type DynamicModule, Module } from '@nestjs/common';
import { AuthModule } from './auth/auth.module.js';
import { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import type { LoadOptions } from './config/config.loader.js';
import { HealthModule } from './health/health.module.js';
import {
  MetricsModule,
  ObservabilityModule,
} from './observability/observability.module.js';
import { QuotesModule } from './quotes/quotes.module.js';
import { RedisModule } from './redis/redis.module.js';
import { StreamingModule } from './streaming/streaming.module.js';

@Module({})
export class AppModule {
  /** The whole application on the given settings, or on those of the environment. */
  static register(config: AppConfig | LoadOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        RedisModule,
        ObservabilityModule,
        AuthModule,
        QuotesModule,
        HealthModule,
        MetricsModule,
        StreamingModule,
      ],
    };
  }
}
