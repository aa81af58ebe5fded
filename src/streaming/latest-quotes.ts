import { timeout, TimeoutStrategy } from 'cockatiel';
import type { RedisClientType } from 'redis';
import type { StreamQuote } from './stream-messages.js';

/** How long the last quote of a symbol is kept in Redis after its feed stops, in ms. */
const KEEP_MS = 24 * 60 * 60 * 1000;
/** Writes waiting for Redis beyond which new ones are skipped. */
const MAX_WRITES_IN_FLIGHT = 1000;

/**
 * The last streamed quote of each symbol in Redis, so that a subscriber on
 * any instance gets it at once and a feed that moves to another instance
 * continues its sequence numbers. Failures are skipped: the next quote
 * writes again.
 */
export class LatestQuotes {
  private readonly bound;
  private inFlight = 0;

  constructor(
    private readonly client: RedisClientType,
    private readonly prefix: string,
    commandTimeoutMs: number,
  ) {
    this.bound = timeout(commandTimeoutMs, TimeoutStrategy.Aggressive);
  }

  key(symbol: string): string {
    return `${this.prefix}:stream:last:${symbol}`;
  }

  write(quote: StreamQuote): void {
    if (!this.client.isReady || this.inFlight >= MAX_WRITES_IN_FLIGHT) return;
    this.inFlight += 1;
    this.client
      .set(this.key(quote.symbol), JSON.stringify(quote), {
        expiration: { type: 'PX', value: KEEP_MS },
      })
      .catch(() => undefined)
      .finally(() => {
        this.inFlight -= 1;
      });
  }

  async read(symbol: string): Promise<StreamQuote | null> {
    if (!this.client.isReady) return null;
    try {
      const text = await this.bound.execute(() =>
        this.client.get(this.key(symbol)),
      );
      return text ? (JSON.parse(text) as StreamQuote) : null;
    } catch {
      return null;
    }
  }
}
