import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { ProvidersModule } from '../providers/providers.module.js';
import { QuotesModule } from '../quotes/quotes.module.js';
import { FeedFactory } from './feed-factory.service.js';
import { FeedManager } from './feed-manager.service.js';
import { QuoteBus } from './quote-bus.service.js';
import { QuoteGateway } from './quote.gateway.js';
import { RedisFanout } from './redis-fanout.service.js';
import { StreamServer } from './stream-server.service.js';
import { SubscriptionsService } from './subscriptions.service.js';
import { WsEndpoint } from './ws-endpoint.service.js';

/**
 * Live quotes to Socket.IO clients and plain WebSocket clients at `/ws`.
 * The app must use StreamingIoAdapter (see app.setup.ts) so that Socket.IO
 * serves on the streaming server.
 */
@Module({
  imports: [ProvidersModule, QuotesModule, AuthModule],
  providers: [
    QuoteBus,
    FeedFactory,
    FeedManager,
    SubscriptionsService,
    WsEndpoint,
    StreamServer,
    RedisFanout,
    QuoteGateway,
  ],
  exports: [StreamServer, SubscriptionsService, FeedManager],
})
export class StreamingModule {}
