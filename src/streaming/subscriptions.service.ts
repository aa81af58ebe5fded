import {
  Injectable,
  Logger,
  OnModuleDestroy,
  OnModuleInit,
} from '@nestjs/common';
import type { Subscription } from 'rxjs';
import { requestContext } from '../common/request-deadline.js';
import { AppConfig } from '../config/app-config.js';
import type { Instrument } from '../market/symbol.js';
import { QuotesService } from '../quotes/quotes.service.js';
import { ConnectionLimit } from './connection-limit.js';
import { FeedManager } from './feed-manager.service.js';
import { QuoteBus } from './quote-bus.service.js';
import {
  type DeliveryCounters,
  StreamClient,
  type StreamTransport,
} from './stream-client.js';
import type {
  RejectedSymbol,
  StatusPayload,
  StreamQuote,
  SubscriptionResult,
} from './stream-messages.js';
import {
  lookupRejection,
  parseSymbolList,
  readSymbolList,
} from './symbol-requests.js';
import { SocketIoGroup, SocketIoTransport } from './transports.js';

/**
 * The connections of this instance and what each subscribes to, for both
 * transports. Hands quotes and feed status from the bus to the subscribed
 * clients, and reports to the feed manager which symbols are wanted.
 */
@Injectable()
export class SubscriptionsService implements OnModuleInit, OnModuleDestroy {
  readonly connections: ConnectionLimit;
  private readonly logger = new Logger(SubscriptionsService.name);
  private readonly clients = new Set<StreamClient>();
  private readonly bySymbol = new Map<string, Set<StreamClient>>();
  /** Quotes written to and conflated for this instance's clients since start. */
  readonly delivery: DeliveryCounters = { sent: 0, conflated: 0 };
  /** Client messages dropped by the per-connection message limit since start. */
  messagesRateLimited = 0;
  private readonly busSubscriptions: Subscription[] = [];

  constructor(
    private readonly feeds: FeedManager,
    private readonly bus: QuoteBus,
    private readonly quotes: QuotesService,
    private readonly config: AppConfig,
  ) {
    this.connections = new ConnectionLimit(config.streaming.maxConnections);
  }

  onModuleInit(): void {
    this.busSubscriptions.push(
      this.bus.quotes.subscribe((quote) => this.deliverQuote(quote)),
      this.bus.statuses.subscribe((status) => this.deliverStatus(status)),
    );
  }

  onModuleDestroy(): void {
    for (const subscription of this.busSubscriptions)
      subscription.unsubscribe();
  }

  /** Registers a new connection. */
  open(transport: StreamTransport): StreamClient {
    const { maxBufferedBytes, slowConsumerTimeoutMs } = this.config.streaming;
    const client: StreamClient = new StreamClient(transport, {
      maxBufferedBytes,
      slowConsumerTimeoutMs,
      counters: this.delivery,
      onClose: (error) =>
        this.logger.warn(
          `Disconnected ${transport.kind} client ${client.id} with ${client.symbols.size} symbols: ${error.code}: ${error.detail}`,
        ),
    });
    this.clients.add(client);

    return client;
  }

  /** Forgets a connection that ended and every subscription it had. */
  closed(client: StreamClient): void {
    client.markClosed();
    if (!this.clients.delete(client)) return;
    // Deleting the current element of a Set does not disturb its iteration.
    for (const symbol of client.symbols) this.remove(client, symbol);
  }

  /** Returns every open connection. */
  all(): StreamClient[] {
    return [...this.clients];
  }

  /**
   * Subscribes a client to the payload's symbols. `reply` receives the
   * result before any quote of the new symbols is sent; then the latest
   * known quote of each goes out.
   */
  async subscribe(
    client: StreamClient,
    body: unknown,
    reply: (result: SubscriptionResult) => void,
  ): Promise<void> {
    const parsed = parseSymbolList(readSymbolList(body));
    const checks = await Promise.all(
      parsed.instruments.map((instrument) => this.check(instrument)),
    );
    const rejected: RejectedSymbol[] = [...parsed.rejected];
    const accepted: Instrument[] = [];
    parsed.instruments.forEach((instrument, index) => {
      const rejection = checks[index];
      if (rejection) rejected.push(rejection);
      else accepted.push(instrument);
    });
    if (client.isClosed) return;

    const added: Instrument[] = [];
    const subscribed: string[] = [];
    const max = this.config.streaming.maxSymbolsPerConnection;
    for (const instrument of accepted) {
      const symbol = instrument.symbol;
      if (client.symbols.has(symbol)) {
        subscribed.push(symbol);
        continue;
      }
      if (client.symbols.size >= max) {
        rejected.push({
          symbol,
          code: 'TOO_MANY_SYMBOLS',
          detail: `a connection may subscribe to at most ${max} symbols (WS_MAX_SYMBOLS_PER_CONNECTION); unsubscribe from others first`,
        });
        continue;
      }
      this.add(client, symbol);
      added.push(instrument);
      subscribed.push(symbol);
    }
    reply({ subscribed, rejected });
    for (const instrument of added) this.feeds.want(instrument);
    await this.sendSnapshots(client, added);
  }

  /** Unsubscribes a client from the payload's symbols; unknown ones are ignored. */
  unsubscribe(client: StreamClient, body: unknown): SubscriptionResult {
    const parsed = parseSymbolList(readSymbolList(body));
    const unsubscribed: string[] = [];
    for (const { symbol } of parsed.instruments) {
      if (client.symbols.has(symbol)) this.remove(client, symbol);
      unsubscribed.push(symbol);
    }

    return {
      subscribed: [...client.symbols],
      unsubscribed,
      rejected: parsed.rejected,
    };
  }

  /** Counts of connections and of local subscribers per symbol, for tests and status. */
  report(): { connections: number; symbols: Record<string, number> } {
    const symbols = Object.fromEntries(
      [...this.bySymbol].map(([symbol, clients]) => [symbol, clients.size]),
    );

    return { connections: this.clients.size, symbols };
  }

  /**
   * Returns why a symbol cannot be streamed, or null when it can. The quote
   * lookup gets the REQUEST_DEADLINE of a REST request.
   */
  private async check(instrument: Instrument): Promise<RejectedSymbol | null> {
    if (this.bySymbol.has(instrument.symbol)) return null;
    try {
      const deadlineMs = this.config.upstream.deadlineMs;
      await this.quotes.quote(instrument, requestContext(deadlineMs));
      return null;
    } catch (error) {
      return lookupRejection(instrument.symbol, error);
    }
  }

  private async sendSnapshots(
    client: StreamClient,
    instruments: readonly Instrument[],
  ): Promise<void> {
    const latest = await Promise.all(
      instruments.map(({ symbol }) => this.feeds.latest(symbol)),
    );
    for (const quote of latest) {
      if (quote && client.symbols.has(quote.symbol)) client.sendSnapshot(quote);
    }
  }

  private add(client: StreamClient, symbol: string): void {
    client.symbols.add(symbol);
    let subscribers = this.bySymbol.get(symbol);
    if (!subscribers) {
      subscribers = new Set();
      this.bySymbol.set(symbol, subscribers);
    }
    subscribers.add(client);
  }

  private remove(client: StreamClient, symbol: string): void {
    client.drop(symbol);
    const subscribers = this.bySymbol.get(symbol);
    if (!subscribers?.delete(client)) return;
    if (subscribers.size === 0) this.bySymbol.delete(symbol);
    this.feeds.release(symbol);
  }

  private deliverQuote(quote: StreamQuote): void {
    const subscribers = this.bySymbol.get(quote.symbol);
    if (!subscribers) return;
    const group = new SocketIoGroup();
    for (const client of subscribers) {
      const { transport } = client;
      if (!(transport instanceof SocketIoTransport)) client.sendQuote(quote);
      else if (client.claimQuote(quote)) group.add(transport);
    }
    group.emit({ event: 'quote', data: quote });
  }

  /** Sends a status to each client with the symbols of it that the client follows. */
  private deliverStatus(status: StatusPayload): void {
    const perClient = new Map<StreamClient, string[]>();
    for (const symbol of status.symbols ?? []) {
      for (const client of this.bySymbol.get(symbol) ?? []) {
        perClient.set(client, [...(perClient.get(client) ?? []), symbol]);
      }
    }
    for (const [client, symbols] of perClient)
      client.send('status', { ...status, symbols });
  }
}
