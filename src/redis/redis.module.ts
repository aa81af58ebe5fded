import { Global, Module } from '@nestjs/common';
import { RedisService } from './redis.service.js';

/** Provides the shared Redis connection to every module. */
@Global()
@Module({
  providers: [RedisService],
  exports: [RedisService],
})
export class RedisModule {}
