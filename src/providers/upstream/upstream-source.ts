import type { Logger } from '@nestjs/common';
import type { Clock } from '../../common/clock.js';
import { redactUrlCredentials } from '../../common/secrets.js';
import type { UpstreamSettings } from '../../config/upstream-config.js';
import type {
  Capability,
  SourceId,
  SourceStatus,
} from '../market-data-source.js';
import type {
  ConnectionStream,
  RoutedTickStream,
} from '../upstream-stream/routed-tick-stream.js';
import type { StreamProtocol } from '../upstream-stream/stream-protocol.js';
import { UpstreamStreamClient } from '../upstream-stream/upstream-stream.client.js';
import type { SourceQuota } from './source-quota.js';
import type { UpstreamHttpClient } from './upstream-http.client.js';

/** Dependencies an upstream adapter is built from. */
export interface UpstreamContext {
  settings: UpstreamSettings;
  client: UpstreamHttpClient;
  quota: SourceQuota;
  clock: Clock;
  logger: Logger;
  /** Time limits of the source's live stream, in milliseconds. */
  streams: { staleAfterMs: number; reconnectMaxDelayMs: number };
}

/**
 * Shared part of the upstream adapters: the kind, the id and a status built
 * from the HTTP client's circuit and the quota windows.
 */
export abstract class UpstreamSource {
  readonly kind = 'upstream';
  abstract readonly id: SourceId;
  abstract readonly name: string;
  abstract readonly capabilities: ReadonlySet<Capability>;

  /**
   * The source's live stream, for sources that have one and are configured
   * for it: one connection, or several routed by asset class.
   */
  stream?: ConnectionStream | RoutedTickStream;

  constructor(protected readonly context: UpstreamContext) {}

  /** Opens the shared stream connection on a protocol, with the configured time limits. */
  protected openStream(protocol: StreamProtocol): UpstreamStreamClient {
    return new UpstreamStreamClient({
      protocol,
      logger: this.context.logger,
      now: () => this.context.clock.now(),
      ...this.context.streams,
    });
  }

  async status(): Promise<SourceStatus> {
    const health = this.context.client.state();
    const quota = await this.context.quota.state();
    const exhausted = quota.find((window) => window.remaining === 0);
    const info = {
      ...health,
      baseUrl: redactUrlCredentials(this.context.settings.baseUrl),
      quota,
      stream: this.stream?.state(),
    };
    if (health.circuit === 'open') {
      return {
        state: 'down',
        detail: `Circuit open after repeated failures; the last was ${health.lastFailure ?? 'unknown'}`,
        info,
      };
    }
    if (exhausted) {
      return {
        state: 'degraded',
        detail: `Quota per ${exhausted.window} used up until ${exhausted.resetsAt ?? 'its window ends'}.`,
        info,
      };
    }

    return {
      state: 'up',
      detail: health.lastFailure
        ? `Last failure: ${health.lastFailure}`
        : 'No failures seen.',
      info,
    };
  }

  async close(): Promise<void> {
    await this.stream?.close();
    await this.context.client.close();
  }
}
