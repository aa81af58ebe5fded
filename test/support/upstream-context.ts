import { Logger } from '@nestjs/common';
import { Clock } from '../../src/common/clock.js';
import type {
  UpstreamId,
  UpstreamSettings,
} from '../../src/config/upstream-config.js';
import { SourceQuota } from '../../src/providers/upstream/source-quota.js';
import { UpstreamHttpClient } from '../../src/providers/upstream/upstream-http.client.js';
import type { UpstreamContext } from '../../src/providers/upstream/upstream-source.js';

export interface TestContextOptions {
  id: UpstreamId;
  baseUrl: string;
  key?: string | null;
  secret?: string | null;
  streamUrl?: string | null;
  /** Fixed time for the adapter's clock, in epoch ms. */
  now?: number;
  timeoutMs?: number;
  retries?: number;
  quota?: Partial<UpstreamSettings['quota']>;
}

/**
 * Builds an adapter context with a real HTTP client pointed at a fake
 * upstream, an in-memory quota without limits unless given, and no retries
 * unless asked, so unit specs see each call once.
 */
export function testUpstreamContext(
  options: TestContextOptions,
): UpstreamContext {
  const quotaLimits = {
    perSecond: 0,
    perMinute: 0,
    perDay: 0,
    ...options.quota,
  };
  const key = options.key === undefined ? 'test-key-123' : options.key;
  const settings: UpstreamSettings = {
    id: options.id,
    enabled: true,
    disabledReason: null,
    key,
    secret: options.secret ?? null,
    baseUrl: options.baseUrl,
    streamUrl: options.streamUrl ?? null,
    quota: quotaLimits,
  };
  const quota = new SourceQuota(options.id, key, quotaLimits, null);
  const client = new UpstreamHttpClient({
    source: options.id,
    baseUrl: options.baseUrl,
    secrets: [key, options.secret].filter((value): value is string => !!value),
    timeoutMs: options.timeoutMs ?? 2000,
    retries: options.retries ?? 0,
    breakerFailures: 5,
    breakerCooldownMs: 30_000,
    quota,
  });
  const clock = new Clock();
  if (options.now !== undefined) {
    const fixed = options.now;
    clock.now = () => fixed;
  }

  return {
    settings,
    client,
    quota,
    clock,
    logger: new Logger(`Source:${options.id}`),
    streams: { staleAfterMs: 60_000, reconnectMaxDelayMs: 1000 },
  };
}
