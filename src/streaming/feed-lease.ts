import { randomUUID } from 'node:crypto';
import { timeout, TimeoutStrategy } from 'cockatiel';
import type { RedisClientType } from 'redis';

/** Extends a lease only while it still holds the caller's token. */
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0`;

/** Deletes a lease only while it still holds the caller's token. */
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1])
end
return 0`;

/** `unavailable` means Redis did not respond in time, so ownership is unknown. */
export type LeaseOutcome = 'owned' | 'held' | 'unavailable';

/**
 * Leases in Redis that make one instance of a cluster run the feed of a
 * symbol. Each instance has its own token; a lease not renewed within
 * `leaseMs` expires, so another instance can take over from one that died.
 * Every command is bounded by `commandTimeoutMs`.
 */
export class FeedLeases {
  readonly token = randomUUID();
  private readonly bound;

  constructor(
    private readonly client: RedisClientType,
    private readonly prefix: string,
    private readonly leaseMs: number,
    commandTimeoutMs: number,
  ) {
    this.bound = timeout(commandTimeoutMs, TimeoutStrategy.Aggressive);
  }

  key(symbol: string): string {
    return `${this.prefix}:stream:feed:${symbol}`;
  }

  /** Takes the lease when free, or renews it when this instance holds it. */
  async claim(symbol: string): Promise<LeaseOutcome> {
    return this.run(async () => {
      const renewed = await this.client.eval(RENEW, {
        keys: [this.key(symbol)],
        arguments: [this.token, String(this.leaseMs)],
      });
      if (renewed === 1) return 'owned';
      const acquired = await this.client.set(this.key(symbol), this.token, {
        condition: 'NX',
        expiration: { type: 'PX', value: this.leaseMs },
      });

      return acquired === 'OK' ? 'owned' : 'held';
    });
  }

  /** Gives the lease up, if this instance holds it, so another can take over at once. */
  async release(symbol: string): Promise<void> {
    await this.run(async () => {
      await this.client.eval(RELEASE, {
        keys: [this.key(symbol)],
        arguments: [this.token],
      });

      return 'owned';
    });
  }

  private async run(
    operation: () => Promise<LeaseOutcome>,
  ): Promise<LeaseOutcome> {
    if (!this.client.isReady) return 'unavailable';
    try {
      return await this.bound.execute(operation);
    } catch {
      return 'unavailable';
    }
  }
}
