import { afterEach, beforeEach } from 'vitest';
import type { FeedEvent } from '../../src/providers/market-data-source.js';
import type { StreamProtocol } from '../../src/providers/upstream-stream/stream-protocol.js';
import { UpstreamStreamClient } from '../../src/providers/upstream-stream/upstream-stream.client.js';
import type { Tick } from '../../src/market/quote.js';
import { fakeLogger } from './fake-logger.js';
import {
  startFakeStreamServer,
  type FakeStreamServer,
} from './fake-stream-server.js';

export interface StreamHarness {
  server: FakeStreamServer;
  /** Starts a client on the protocol built for this server's URL. */
  open(
    protocol: (url: string) => StreamProtocol,
    options?: { staleAfterMs?: number },
  ): UpstreamStreamClient;
  ticks: Tick[];
  events: FeedEvent[];
  logger: ReturnType<typeof fakeLogger>;
}

/**
 * Gives each test of a spec file a fresh fake stream server and closes the
 * client and server after it. Returns a getter, since both exist only once
 * the hooks have run.
 */
export function useStreamHarness(): () => StreamHarness {
  let harness: StreamHarness | undefined;
  let client: UpstreamStreamClient | undefined;

  beforeEach(async () => {
    const server = await startFakeStreamServer();
    const ticks: Tick[] = [];
    const events: FeedEvent[] = [];
    const logger = fakeLogger();
    harness = {
      server,
      ticks,
      events,
      logger,
      open: (protocol, options = {}) => {
        client = new UpstreamStreamClient({
          protocol: protocol(server.url),
          logger,
          staleAfterMs: options.staleAfterMs ?? 60_000,
          reconnectMaxDelayMs: 200,
          batchDelayMs: 10,
        });
        client.ticks.subscribe((tick) => ticks.push(tick));
        client.events.subscribe((event) => events.push(event));
        return client;
      },
    };
  });

  afterEach(async () => {
    await client?.close();
    client = undefined;
    await harness?.server.close();
  });

  return () => {
    if (!harness)
      throw new Error(
        'the stream harness starts in beforeEach; use it inside a test',
      );
    return harness;
  };
}
