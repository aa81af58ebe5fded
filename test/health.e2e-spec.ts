import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import {
  REDIS_SERVER_PATH,
  startOwnRedis,
  type OwnRedis,
} from './support/redis.js';
import { describeWithTool } from './support/system-tools.js';

interface Check {
  status: string;
  [field: string]: unknown;
}

interface Ready {
  status: string;
  details: Record<string, Check>;
  services: {
    redis: { status: string };
    cache: { status: string };
    sources: Record<string, { status: string; circuit?: string }>;
  };
}

interface Overview {
  status: string;
  timestamp: string;
  version: string;
  checks: Record<string, Check>;
  services: Ready['services'];
  metrics: Record<string, number | null>;
}

/** Maximum time of a probe with Redis paused: the ping's own timeout plus margin. */
const PROBE_BOUND_MS = 1500;

async function timed<T>(work: () => Promise<T>) {
  const started = performance.now();
  const result = await work();

  return { result, ms: performance.now() - started };
}

describe('health endpoints', () => {
  let api: TestApp;

  beforeAll(async () => {
    api = await startTestApp({ env: { QUOTE_PROVIDERS: 'simulated' } });
  });

  afterAll(async () => {
    await api.close();
  });

  it('reports liveness without checks', async () => {
    const { status, body } = await api.json('/health/live');
    expect(status).toBe(200);
    expect(body).toEqual({ status: 'ok' });
  });

  it('runs the local checks for readiness', async () => {
    const { status, body } = await api.json<Ready>('/health/ready');
    expect(status).toBe(200);
    expect(body.status).toBe('ok');
    expect(Object.keys(body.details).sort()).toEqual([
      'event_loop',
      'heap',
      'shutdown',
    ]);
    expect(body.details.heap?.status).toBe('up');
    expect(body.services.redis.status).toBe('not configured');
    expect(body.services.sources.simulated?.status).toBe('up');
  });

  it('gives operators an overview', async () => {
    await api.request('/api/quotes/AAPL');
    await api.request('/api/quotes/AAPL');
    const { status, body } = await api.json<Overview>('/health');
    expect(status).toBe(200);
    expect(body.status).toBe('ok');
    expect(Date.parse(body.timestamp)).toBeGreaterThan(Date.now() - 60_000);
    expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(body.services.cache.status).toBe('up');
    expect(body.services.sources.simulated?.status).toBe('up');
    expect(Object.keys(body.metrics).sort()).toEqual([
      'active_connections',
      'cache_hit_rate',
      'cpu_percent',
      'memory_percent',
      'requests_per_minute',
    ]);
    expect(body.metrics.cache_hit_rate).toBe(0.5);
    expect(body.metrics.memory_percent).toBeGreaterThan(0);
    expect(body.metrics.active_connections).toBe(0);
  });

  it('counts requests of the last minute', async () => {
    for (let index = 0; index < 5; index += 1)
      await api.request('/health/live');
    const { body } = await api.json<Overview>('/health');
    expect(body.metrics.requests_per_minute).toBeGreaterThanOrEqual(5);
  });
});

describe('readiness past local limits', () => {
  it('fails when the heap passes HEALTH_MAX_HEAP_MB', async () => {
    const api = await startTestApp({ env: { HEALTH_MAX_HEAP_MB: '1' } });
    try {
      const ready = await api.json<Ready>('/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.body.status).toBe('error');
      expect(ready.body.details.heap?.status).toBe('down');
      expect(ready.body.details.heap?.maxMb).toBe(1);
      expect(ready.body.services.cache.status).toBe('up');

      const overview = await api.json<Overview>('/health');
      expect(overview.status).toBe(503);
      expect(overview.body.status).toBe('down');
      expect((await api.request('/health/live')).status).toBe(200);
    } finally {
      await api.close();
    }
  });

  it('fails while the event loop lags', async () => {
    const api = await startTestApp({
      env: { HEALTH_MAX_EVENT_LOOP_LAG_MS: '100' },
    });
    try {
      expect((await api.request('/health/ready')).status).toBe(200);
      // Block this process, which runs the app, for 400 ms.
      const until = Date.now() + 400;
      while (Date.now() < until) {
        // busy wait
      }
      // The lag is sampled once a second, so it shows within two or three.
      let ready = await api.json<Ready>('/health/ready');
      for (let round = 0; round < 30 && ready.status === 200; round += 1) {
        await sleep(100);
        ready = await api.json<Ready>('/health/ready');
      }
      expect(ready.status).toBe(503);
      expect(ready.body.details.event_loop?.status).toBe('down');
      expect(ready.body.details.event_loop?.lagMs).toBeGreaterThan(100);
    } finally {
      await api.close();
    }
  });
});

describeWithTool(
  'redis-server',
  REDIS_SERVER_PATH,
  'health with Redis paused',
  () => {
    let redis: OwnRedis;
    let api: TestApp;

    beforeAll(async () => {
      redis = await startOwnRedis();
      api = await startTestApp({
        env: {
          REDIS_URL: redis.url,
          CACHE_KEY_PREFIX: 'mda-health',
          REDIS_COMMAND_TIMEOUT: '0.3',
        },
      });
    });

    afterAll(async () => {
      redis.resume();
      await api.close();
      await redis.stop();
    });

    it('reports Redis up before the pause', async () => {
      const { body } = await api.json<Overview>('/health');
      expect(body.services.redis.status).toBe('up');
      expect(body.status).toBe('ok');
    });

    it('stays ready and reports Redis down within the timeout', async () => {
      redis.pause();
      try {
        const ready = await timed(() => api.json<Ready>('/health/ready'));
        expect(ready.ms).toBeLessThan(PROBE_BOUND_MS);
        expect(ready.result.status).toBe(200);
        expect(ready.result.body.services.redis.status).toBe('down');
        expect(ready.result.body.services.cache.status).toBe('degraded');

        const overview = await timed(() => api.json<Overview>('/health'));
        expect(overview.ms).toBeLessThan(PROBE_BOUND_MS);
        expect(overview.result.status).toBe(200);
        expect(overview.result.body.status).toBe('degraded');
        expect(overview.result.body.services.redis.status).toBe('down');

        const live = await timed(() => api.request('/health/live'));
        expect(live.ms).toBeLessThan(PROBE_BOUND_MS);
        expect(live.result.status).toBe(200);
      } finally {
        redis.resume();
      }
    });
  },
);
