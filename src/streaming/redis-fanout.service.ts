import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { createAdapter } from '@socket.io/redis-adapter';
import type { RedisClientType } from 'redis';
import { OutageLog } from '../cache/outage-log.js';
import { AppConfig } from '../config/app-config.js';
import { RedisService } from '../redis/redis.service.js';

/** Publishes waiting for Redis beyond which new ones are dropped. */
const MAX_PUBLISHES_IN_FLIGHT = 1000;

type AdapterConstructor = ReturnType<typeof createAdapter>;

/**
 * The Socket.IO Redis adapter on the shared node-redis client (publishing)
 * and a duplicate of it in subscriber mode. The adapter (version 8.3) does
 * not catch failed Redis commands, and an unhandled rejection would end the
 * process. So it gets wrappers that catch and count them. While Redis is
 * down, messages to other instances are dropped and the outage is logged
 * once. node-redis subscribes again by itself after reconnecting.
 */
@Injectable()
export class RedisFanout implements OnApplicationShutdown {
  private readonly outage = new OutageLog(
    new Logger(RedisFanout.name),
    'Redis stream fan-out',
  );
  private subscriber: RedisClientType | null = null;
  private inFlight = 0;

  constructor(
    private readonly redis: RedisService,
    private readonly config: AppConfig,
  ) {}

  /** Creates the adapter, or returns null without REDIS_URL. */
  adapter(): AdapterConstructor | null {
    const client = this.redis.client;
    if (!client) return null;
    // Subscribe commands are few and must survive a start while Redis is
    // down, so this client queues commands until it is connected.
    const subscriber = client.duplicate({ disableOfflineQueue: false });
    // The error that destroying the client at shutdown raises is no outage.
    subscriber.on('error', (error: unknown) => {
      if (this.subscriber === subscriber) this.outage.failed(error);
    });
    subscriber.on('ready', () => this.outage.succeeded());
    void subscriber.connect().catch(() => undefined);
    this.subscriber = subscriber;

    return createAdapter(this.publisher(client), this.guard(subscriber), {
      key: `${this.config.cache.keyPrefix}:socket.io`,
    });
  }

  /**
   * Drops the subscriber connection without waiting, because `close()` waits
   * for the subscribe commands still queued while Redis is down.
   */
  onApplicationShutdown(): void {
    const subscriber = this.subscriber;
    this.subscriber = null;
    if (subscriber?.isOpen) subscriber.destroy();
  }

  /** Builds the publishing client, which fails fast while Redis is not ready and never rejects. */
  private publisher(client: RedisClientType) {
    return {
      // The adapter checks for this method to pick the node-redis v4+ API.
      pSubscribe: client.pSubscribe.bind(client),
      on: client.on.bind(client),
      off: client.off.bind(client),
      publish: (channel: string, message: string | Buffer) => {
        if (!client.isReady || this.inFlight >= MAX_PUBLISHES_IN_FLIGHT) {
          this.outage.failed(new Error('Redis is not ready'));
          return Promise.resolve(0);
        }
        this.inFlight += 1;
        return client
          .publish(channel, message)
          .then((receivers) => {
            this.outage.succeeded();
            return receivers;
          })
          .catch((error: unknown) => {
            this.outage.failed(error);
            return 0;
          })
          .finally(() => {
            this.inFlight -= 1;
          });
      },
    };
  }

  /** Builds the subscribing client, whose subscribe and unsubscribe calls never reject. */
  private guard(subscriber: RedisClientType) {
    const safely =
      <A extends unknown[]>(call: (...args: A) => Promise<unknown>) =>
      (...args: A) =>
        call(...args).catch((error: unknown) => this.outage.failed(error));

    return {
      on: subscriber.on.bind(subscriber),
      off: subscriber.off.bind(subscriber),
      pSubscribe: safely(subscriber.pSubscribe.bind(subscriber)),
      subscribe: safely(subscriber.subscribe.bind(subscriber)),
      pUnsubscribe: safely(subscriber.pUnsubscribe.bind(subscriber)),
      unsubscribe: safely(subscriber.unsubscribe.bind(subscriber)),
    };
  }
}
