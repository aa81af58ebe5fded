import {
  Injectable,
  Logger,
  OnApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
import { timeout, TimeoutStrategy } from 'cockatiel';
import { createClient, type RedisClientType } from 'redis';
import { redactUrlCredentials } from '../common/secrets.js';
import { AppConfig } from '../config/app-config.js';

/** Maximum pause between reconnection attempts, in milliseconds. */
const MAX_RECONNECT_DELAY_MS = 2000;
/** How long start-up waits for the first connection before going on without it. */
const STARTUP_WAIT_MS = 2000;

/**
 * The one Redis connection the modules share, or null without REDIS_URL.
 * Commands fail fast while Redis is down (no offline queue), reconnection is
 * automatic, and an outage is logged once with the count of errors seen when
 * it ends, rather than once per failed command.
 */
@Injectable()
export class RedisService implements OnModuleInit, OnApplicationShutdown {
  readonly client: RedisClientType | null;
  private readonly logger = new Logger(RedisService.name);
  private outageErrors = 0;
  private connecting: Promise<unknown> = Promise.resolve();
  private readonly bound;

  constructor(config: AppConfig) {
    this.bound = timeout(
      config.redisCommandTimeoutMs,
      TimeoutStrategy.Aggressive,
    );
    this.client = config.redisUrl ? this.connect(config.redisUrl) : null;
  }

  /**
   * Waits up to two seconds for the first connection, so that a new replica
   * shares counters from its first request; a Redis that is down does not
   * hold start-up back any longer.
   */
  async onModuleInit(): Promise<void> {
    await Promise.race([
      this.connecting,
      new Promise((resolve) => setTimeout(resolve, STARTUP_WAIT_MS).unref()),
    ]);
  }

  /** True while the connection is up; false without Redis or during an outage. */
  get ready(): boolean {
    return this.client?.isReady ?? false;
  }

  /**
   * Returns true when Redis responds to PING within REDIS_COMMAND_TIMEOUT, so that a
   * paused Redis is reported down rather than hanging the caller.
   */
  async ping(): Promise<boolean> {
    const client = this.client;
    if (!client?.isReady) return false;
    try {
      await this.bound.execute(() => client.ping());
      return true;
    } catch {
      return false;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.client?.isOpen) await this.client.close().catch(() => undefined);
  }

  private connect(url: string): RedisClientType {
    const client: RedisClientType = createClient({
      url,
      disableOfflineQueue: true,
      socket: {
        connectTimeout: 2000,
        reconnectStrategy: (attempt) =>
          Math.min(100 * 2 ** attempt, MAX_RECONNECT_DELAY_MS),
      },
    });
    client.on('error', (error: unknown) => {
      if (this.outageErrors === 0) {
        this.logger.warn(
          `Redis unavailable at ${redactUrlCredentials(url)}: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      this.outageErrors += 1;
    });
    client.on('ready', () => {
      if (this.outageErrors > 0) {
        this.logger.log(
          `Redis reconnected after ${this.outageErrors} connection errors`,
        );
      }
      this.outageErrors = 0;
    });
    this.connecting = client.connect().catch(() => undefined);

    return client;
  }
}
