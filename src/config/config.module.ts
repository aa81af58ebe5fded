import { type DynamicModule, Global, Module } from '@nestjs/common';
import { AppConfig } from './app-config.js';
import { loadConfig, type LoadOptions } from './config.loader.js';

/** Provides the validated AppConfig to every module. */
@Global()
@Module({})
export class ConfigModule {
  /** Loads settings once; throws ConfigError listing every invalid variable. */
  static forRoot(options: LoadOptions | AppConfig = {}): DynamicModule {
    const config = options instanceof AppConfig ? options : loadConfig(options);

    return {
      module: ConfigModule,
      providers: [{ provide: AppConfig, useValue: config }],
      exports: [AppConfig],
    };
  }
}
