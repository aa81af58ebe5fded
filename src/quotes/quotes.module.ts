import { Module } from '@nestjs/common';
import { MarketModule } from '../market/market.module.js';
import { MarketCacheModule } from '../cache/cache.module.js';
import { ProvidersModule } from '../providers/providers.module.js';
import {
  CryptoController,
  ForexController,
  StocksController,
} from './asset.controller.js';
import { HistoryService } from './history.service.js';
import { InstrumentsService } from './instruments.service.js';
import { MarketController } from './market.controller.js';
import { ProblemsController } from './problems.controller.js';
import { ProvidersController } from './providers.controller.js';
import { QuotesController } from './quotes.controller.js';
import { QuotesService } from './quotes.service.js';
import { SymbolsController } from './symbols.controller.js';

@Module({
  imports: [MarketModule, ProvidersModule, MarketCacheModule],
  controllers: [
    QuotesController,
    StocksController,
    CryptoController,
    ForexController,
    MarketController,
    SymbolsController,
    ProvidersController,
    ProblemsController,
  ],
  providers: [QuotesService, HistoryService, InstrumentsService],
  exports: [QuotesService],
})
export class QuotesModule {}
