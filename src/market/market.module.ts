import { Module } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { MarketStatusService } from './market-status.service.js';

@Module({
  providers: [Clock, MarketStatusService],
  exports: [Clock, MarketStatusService],
})
export class MarketModule {}
