import {
  Injectable,
  Logger,
  OnApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
import type { Subscription } from 'rxjs';
import { AppConfig } from '../config/app-config.js';
import type { Quote } from '../market/quote.js';
import type { Instrument } from '../market/symbol.js';
import type { FeedEvent } from '../providers/market-data-source.js';
import { RedisService } from '../redis/redis.service.js';
import type { Feed } from './feed.js';
import { FeedFactory } from './feed-factory.service.js';
import { FeedLeases, type LeaseOutcome } from './feed-lease.js';
import { LatestQuotes } from './latest-quotes.js';
import { QuoteBus } from './quote-bus.service.js';
import { type StreamQuote, toStreamQuote } from './stream-messages.js';

/** One symbol that subscribers of this instance want. */
interface FeedEntry {
  instrument: Instrument;
  /** Subscriptions of this instance's clients. */
  refs: number;
  lingerTimer: NodeJS.Timeout | null;
  /** True while this instance should run the feed (it owns the lease, or Redis is down). */
  running: boolean;
  feed: Feed | null;
  /** Sequence number of the last quote this instance published. */
  seq: number;
  latest: StreamQuote | null;
}

export interface FeedReport {
  symbol: string;
  subscriptions: number;
  /** The feed's kind when it runs on this instance, else null. */
  feed: string | null;
}

/**
 * Makes exactly one feed run per wanted symbol. The first local subscriber
 * of a symbol makes it wanted; once the last one leaves, the feed stops
 * after STREAM_LINGER. With REDIS_URL, an instance runs a feed only while it
 * holds the symbol's lease, renewed every third of STREAM_LEASE, so
 * instances never feed the same symbol twice and one whose lease lapses is
 * replaced. While Redis does not respond, each instance feeds its own
 * subscribers, and the lease decides again once Redis is back.
 */
@Injectable()
export class FeedManager implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(FeedManager.name);
  private readonly entries = new Map<string, FeedEntry>();
  private readonly leases: FeedLeases | null;
  private readonly latestQuotes: LatestQuotes | null;
  private claimTimer: NodeJS.Timeout | null = null;
  private busSubscription: Subscription | null = null;

  constructor(
    private readonly factory: FeedFactory,
    private readonly bus: QuoteBus,
    redis: RedisService,
    private readonly config: AppConfig,
  ) {
    const client = redis.client;
    const prefix = config.cache.keyPrefix;
    const timeoutMs = config.redisCommandTimeoutMs;
    this.leases = client
      ? new FeedLeases(client, prefix, config.streaming.leaseMs, timeoutMs)
      : null;
    this.latestQuotes = client
      ? new LatestQuotes(client, prefix, timeoutMs)
      : null;
  }

  onModuleInit(): void {
    // Quotes of other instances raise this one's sequence too, so that after
    // a Redis outage, when two instances fed one symbol for a while, the one
    // that keeps the feed continues above both.
    this.busSubscription = this.bus.quotes.subscribe((quote) => {
      const entry = this.entries.get(quote.symbol);
      if (!entry) return;
      entry.latest = quote;
      entry.seq = Math.max(entry.seq, quote.seq);
    });
    if (!this.leases) return;
    this.claimTimer = setInterval(
      () => this.claimAll(),
      this.config.streaming.leaseMs / 3,
    );
    this.claimTimer.unref();
  }

  /** Counts one more local subscription of a symbol, starting its feed if needed. */
  want(instrument: Instrument): void {
    const existing = this.entries.get(instrument.symbol);
    if (existing) {
      existing.refs += 1;
      if (existing.lingerTimer) clearTimeout(existing.lingerTimer);
      existing.lingerTimer = null;
      // A feed whose start failed is tried again by the next subscriber.
      if (!existing.running) void this.claim(existing);
      return;
    }
    const entry: FeedEntry = {
      instrument,
      refs: 1,
      lingerTimer: null,
      running: false,
      feed: null,
      seq: 0,
      latest: null,
    };
    this.entries.set(instrument.symbol, entry);
    void this.claim(entry);
  }

  /** Counts one local subscription less; the feed stops STREAM_LINGER after the last. */
  release(symbol: string): void {
    const entry = this.entries.get(symbol);
    if (!entry || entry.refs === 0) return;
    entry.refs -= 1;
    if (entry.refs > 0) return;
    const lingerMs = this.config.streaming.lingerMs;
    if (lingerMs === 0) {
      void this.remove(entry);
      return;
    }
    entry.lingerTimer = setTimeout(() => void this.remove(entry), lingerMs);
    entry.lingerTimer.unref();
  }

  /** Returns the last quote published for a symbol, from this instance or from Redis. */
  async latest(symbol: string): Promise<StreamQuote | null> {
    const known = this.entries.get(symbol)?.latest;
    if (known) return known;

    return (await this.latestQuotes?.read(symbol)) ?? null;
  }

  /** Symbols wanted here, with their subscription counts and local feeds. */
  report(): FeedReport[] {
    return [...this.entries.values()].map((entry) => ({
      symbol: entry.instrument.symbol,
      subscriptions: entry.refs,
      feed: entry.feed?.kind ?? null,
    }));
  }

  onApplicationShutdown(): Promise<void> {
    if (this.claimTimer) clearInterval(this.claimTimer);
    this.busSubscription?.unsubscribe();
    const entries = [...this.entries.values()];

    return Promise.all(entries.map((entry) => this.remove(entry))).then(
      () => undefined,
    );
  }

  private claimAll(): void {
    for (const entry of this.entries.values()) void this.claim(entry);
  }

  /** Decides whether this instance runs the entry's feed, and starts or stops it. */
  private async claim(entry: FeedEntry): Promise<void> {
    const outcome: LeaseOutcome = this.leases
      ? await this.leases.claim(entry.instrument.symbol)
      : 'owned';
    if (this.entries.get(entry.instrument.symbol) !== entry) {
      if (outcome === 'owned')
        await this.leases?.release(entry.instrument.symbol);
      return;
    }
    if (outcome === 'held') {
      this.stopFeed(entry);
      return;
    }
    // 'unavailable': without Redis no instance can coordinate, so each one
    // feeds its own subscribers until the lease can be checked again.
    await this.startFeed(entry);
  }

  private async startFeed(entry: FeedEntry): Promise<void> {
    if (entry.running) return;
    entry.running = true;
    const symbol = entry.instrument.symbol;
    const stored = await this.latestQuotes?.read(symbol);
    entry.seq = Math.max(entry.seq, entry.latest?.seq ?? 0, stored?.seq ?? 0);
    let feed: Feed;
    try {
      feed = await this.factory.start(entry.instrument, {
        quote: (quote) => this.publish(entry, quote),
        status: (event) => this.publishStatus(entry, event),
      });
    } catch (error) {
      entry.running = false;
      this.logger.error(
        `Starting the feed of ${symbol} failed: ${error instanceof Error ? error.message : String(error)}`,
      );
      return;
    }
    if (!entry.running || this.entries.get(symbol) !== entry) {
      feed.stop();
      return;
    }
    entry.feed = feed;
    this.logger.debug(`Feed of ${symbol} started (${feed.kind})`);
  }

  private stopFeed(entry: FeedEntry): void {
    entry.running = false;
    if (!entry.feed) return;
    entry.feed.stop();
    this.logger.debug(`Feed of ${entry.instrument.symbol} stopped`);
    entry.feed = null;
  }

  private async remove(entry: FeedEntry): Promise<void> {
    const symbol = entry.instrument.symbol;
    if (this.entries.get(symbol) !== entry) return;
    if (entry.lingerTimer) clearTimeout(entry.lingerTimer);
    this.entries.delete(symbol);
    this.stopFeed(entry);
    await this.leases?.release(symbol);
  }

  private publish(entry: FeedEntry, quote: Quote): void {
    if (!entry.running) return;
    entry.seq += 1;
    const streamed = toStreamQuote(quote, entry.seq);
    this.latestQuotes?.write(streamed);
    this.bus.publishQuote(streamed);
  }

  private publishStatus(entry: FeedEntry, event: FeedEvent): void {
    if (!entry.running) return;
    this.bus.publishStatus({
      code: event.code,
      symbols: [entry.instrument.symbol],
      detail: event.detail,
    });
  }
}
