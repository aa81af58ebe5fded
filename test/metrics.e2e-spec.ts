import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StreamServer } from '../src/streaming/stream-server.service.js';
import { NO_CACHE, startTestApp, type TestApp } from './support/app.js';
import {
  startFakeUpstream,
  type FakeUpstream,
} from './support/fake-upstream.js';
import { freePort } from './support/redis.js';
import { openWs } from './support/streaming.js';
import { describeWithTool } from './support/system-tools.js';
import { newSecret, signHs256 } from './support/tokens.js';

const PROMTOOL_PATH = process.env.PROMTOOL_PATH ?? '/usr/bin/promtool';
const PROMETHEUS_PATH = process.env.PROMETHEUS_PATH ?? '/usr/bin/prometheus';
/** prom-client's default gauges whose `_total` names promtool rejects. */
const KNOWN_PROMTOOL_COMPLAINTS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
];
const REQUEST_METRICS = ['api_requests_total', 'api_request_duration_seconds'];
const DASHBOARD_PATH = fileURLToPath(
  new URL('../docker/grafana/market-data-api.json', import.meta.url),
);

/** Returns the PromQL expression of every panel of the Grafana dashboard. */
function dashboardQueries(): string[] {
  const dashboard = JSON.parse(readFileSync(DASHBOARD_PATH, 'utf8')) as {
    panels: { targets: { expr: string }[] }[];
  };

  return dashboard.panels.flatMap((panel) =>
    panel.targets.map((target) => target.expr),
  );
}

async function metricsText(api: TestApp): Promise<string> {
  const response = await api.request('/metrics');
  expect(response.status).toBe(200);

  return response.text();
}

/** Returns the value of one sample, e.g. `cache_hits_total{kind="quote"}`, or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text
    .split('\n')
    .find((candidate) => candidate.startsWith(`${series} `));

  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/**
 * Counts the series of the given metrics: distinct label sets, with a
 * histogram's buckets, sum and count taken as one series.
 */
function seriesCount(text: string, names: string[]): number {
  const series = new Set<string>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line === '') continue;
    const name = line.split(/[{ ]/, 1)[0] ?? '';
    const base = name.replace(/_(bucket|sum|count)$/, '');
    if (!names.includes(name) && !names.includes(base)) continue;
    const labels = (/\{(.*)\}/.exec(line)?.[1] ?? '')
      .split(',')
      .filter((label) => !label.startsWith('le='))
      .join(',');
    series.add(`${base}{${labels}}`);
  }

  return series.size;
}

/** Sends GET requests to each path, at most `concurrency` at a time. */
async function load(api: TestApp, paths: string[], concurrency: number) {
  let next = 0;
  const worker = async () => {
    while (next < paths.length) {
      const target = paths[next++] as string;
      const response = await api.request(target);
      await response.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

function randomName(length: number): string {
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  return Array.from(
    { length },
    () => letters[Math.floor(Math.random() * letters.length)],
  ).join('');
}

describe('metrics endpoint', () => {
  let api: TestApp;

  beforeAll(async () => {
    api = await startTestApp({
      env: { QUOTE_PROVIDERS: 'simulated', RATE_LIMIT_REQUESTS: '0' },
    });
  });

  afterAll(async () => {
    await api.close();
  });

  it('serves the Prometheus text format', async () => {
    const response = await api.request('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toContain('# TYPE api_requests_total counter');
    expect(text).toContain('# TYPE api_request_duration_seconds histogram');
    expect(text).toContain('# TYPE process_cpu_seconds_total counter');
    expect(text).toContain('# TYPE nodejs_eventloop_lag_seconds gauge');
  });

  it('labels requests by route template', async () => {
    await api.request('/api/quotes/AAPL');
    await api.request('/api/quotes/MSFT');
    const text = await metricsText(api);
    expect(
      sample(
        text,
        'api_requests_total{method="GET",route="/api/quotes/:symbol",status="200"}',
      ),
    ).toBe(2);
    expect(text).not.toContain('route="/api/quotes/AAPL"');
    expect(
      sample(
        text,
        'api_request_duration_seconds_count{method="GET",route="/api/quotes/:symbol"}',
      ),
    ).toBe(2);
  });

  it('counts cache hits and misses per kind', async () => {
    await api.request('/api/quotes/KO');
    await api.request('/api/quotes/KO');
    const text = await metricsText(api);
    expect(
      sample(text, 'cache_hits_total{kind="quote"}'),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(text, 'cache_misses_total{kind="quote"}'),
    ).toBeGreaterThanOrEqual(1);
    const rate = sample(text, 'cache_hit_rate');
    expect(rate).toBeGreaterThan(0);
    expect(rate).toBeLessThan(1);
  });

  it('bounds the series of random symbols and paths', async () => {
    const before = seriesCount(await metricsText(api), REQUEST_METRICS);
    const paths = Array.from(
      { length: 1000 },
      () => `/api/quotes/Z${randomName(5)}`,
    );
    paths.push(
      ...Array.from(
        { length: 1000 },
        () => `/${randomName(8)}/${randomName(4)}`,
      ),
    );
    await load(api, paths, 20);
    const text = await metricsText(api);
    const after = seriesCount(text, REQUEST_METRICS);

    // The unknown symbols add one status of the quote route, the unknown
    // paths the route "unmatched": each a counter and a histogram series.
    expect(after - before).toBeLessThanOrEqual(6);
    expect(
      sample(
        text,
        'api_requests_total{method="GET",route="unmatched",status="404"}',
      ),
    ).toBe(1000);
  });

  it('exports every metric the dashboard reads', async () => {
    const text = await metricsText(api);
    const names = new Set(
      dashboardQueries().flatMap(
        (query) =>
          query.match(
            /\b[a-z_]+_(?:total|bucket|bytes|active|remaining|rate)\b/g,
          ) ?? [],
      ),
    );
    expect(names.size).toBeGreaterThan(10);
    for (const name of names) {
      const base = name.replace(/_bucket$/, '');
      expect(text, name).toContain(`# TYPE ${base} `);
    }
  });

  it('reports streaming connections and quotes', async () => {
    const port = api.app.get(StreamServer).port();
    const client = await openWs(`ws://127.0.0.1:${port}/ws`);
    try {
      client.send({ action: 'subscribe', symbols: ['AAPL', 'MSFT'] });
      await client.inbox.next(
        (message) => message.type === 'subscribed',
        'subscribed',
      );
      const text = await metricsText(api);
      expect(sample(text, 'websocket_connections_active{transport="ws"}')).toBe(
        1,
      );
      expect(
        sample(text, 'websocket_connections_active{transport="socket.io"}'),
      ).toBe(0);
      expect(sample(text, 'stream_subscriptions_active')).toBe(2);

      // The simulated source ticks once a second.
      let current = text;
      for (
        let round = 0;
        round < 30 && !sample(current, 'stream_quotes_total');
        round += 1
      ) {
        await sleep(100);
        current = await metricsText(api);
      }
      expect(sample(current, 'stream_quotes_total')).toBeGreaterThan(0);
      // The snapshot sent on subscribe counts too, so sent is at least two.
      expect(sample(current, 'stream_quotes_sent_total')).toBeGreaterThan(1);
    } finally {
      client.socket.close();
      await client.closed;
    }
  });

  it('counts stream messages over the limit', async () => {
    const port = api.app.get(StreamServer).port();
    const client = await openWs(`ws://127.0.0.1:${port}/ws`);
    try {
      // Twice the default limit of 20 messages a second, sent at once.
      for (let sent = 0; sent < 40; sent += 1) client.send({ action: 'ping' });
      const replies = await client.inbox.count(
        (message) => message.type === 'pong' || message.type === 'error',
        40,
        'a reply to each ping',
      );
      const limited = replies.filter(
        (message) =>
          message.type === 'error' && message.code === 'RATE_LIMITED',
      ).length;
      const text = await metricsText(api);

      expect(limited).toBeGreaterThan(0);
      expect(sample(text, 'stream_messages_rate_limited_total')).toBe(limited);
    } finally {
      client.socket.close();
      await client.closed;
    }
  });
});

describe('metrics of two apps in one process', () => {
  it('keeps a registry per app', async () => {
    const first = await startTestApp();
    const second = await startTestApp();
    try {
      await first.request('/health/live');
      await first.request('/health/live');
      await second.request('/health/live');
      const series =
        'api_requests_total{method="GET",route="/health/live",status="200"}';
      expect(sample(await metricsText(first), series)).toBe(2);
      expect(sample(await metricsText(second), series)).toBe(1);
    } finally {
      await first.close();
      await second.close();
    }
  });
});

describe('metrics with authentication and rate limits', () => {
  const secret = newSecret();
  let api: TestApp;

  beforeAll(async () => {
    api = await startTestApp({
      env: {
        JWT_SECRET: secret,
        RATE_LIMIT_REQUESTS: '2',
        RATE_LIMIT_WINDOW: '3600',
      },
    });
  });

  afterAll(async () => {
    await api.close();
  });

  it('serves /metrics without a token past the rate limit', async () => {
    const token = await signHs256(secret, { scope: 'quotes:read' });
    const headers = { authorization: `Bearer ${token}` };
    const statuses: number[] = [];
    for (let index = 0; index < 4; index += 1) {
      const response = await api.request('/api/market/status', { headers });
      await response.arrayBuffer();
      statuses.push(response.status);
    }
    expect(statuses).toContain(429);
    expect((await api.request('/api/market/status')).status).toBe(401);

    for (let index = 0; index < 5; index += 1) {
      const response = await api.request('/metrics');
      expect(response.status).toBe(200);
      await response.arrayBuffer();
    }
    const text = await metricsText(api);
    expect(
      sample(text, 'rate_limit_rejections_total{route="/api/market/status"}'),
    ).toBe(statuses.filter((status) => status === 429).length);
  });
});

describe('upstream metrics', () => {
  let upstream: FakeUpstream;
  let api: TestApp;

  beforeAll(async () => {
    upstream = await startFakeUpstream([
      () => ({ status: 503, body: '{"error":"down"}' }),
    ]);
    api = await startTestApp({
      env: {
        ...NO_CACHE,
        POLYGON_KEY: 'test-key',
        POLYGON_BASE_URL: upstream.baseUrl,
        QUOTE_PROVIDERS: 'polygon,simulated',
        UPSTREAM_RETRIES: '1',
        CIRCUIT_BREAKER_FAILURES: '100',
      },
    });
  });

  afterAll(async () => {
    await api.close();
    await upstream.close();
  });

  it('counts calls, retries and errors per source', async () => {
    const response = await api.request('/api/quotes/AAPL');
    expect(response.status).toBe(200);
    const text = await metricsText(api);
    const calls = sample(
      text,
      'upstream_requests_total{source="polygon",outcome="5xx"}',
    );
    expect(calls).toBe(upstream.calls.length);
    expect(calls).toBeGreaterThanOrEqual(2);
    expect(
      sample(text, 'upstream_retries_total{source="polygon"}'),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(text, 'upstream_request_duration_seconds_count{source="polygon"}'),
    ).toBe(calls);
    expect(
      sample(
        text,
        'data_source_errors_total{source="polygon",class="UPSTREAM_UNAVAILABLE"}',
      ),
    ).toBe(1);
    const remaining = sample(
      text,
      'upstream_quota_remaining{source="polygon",window="minute"}',
    );
    expect(remaining).toBeGreaterThanOrEqual(0);
    expect(remaining).toBeLessThan(5);
  });
});

describeWithTool(
  'prometheus',
  PROMTOOL_PATH,
  'metrics checked by promtool',
  () => {
    let api: TestApp;

    beforeAll(async () => {
      api = await startTestApp();
    });

    afterAll(async () => {
      await api.close();
    });

    it('passes promtool check metrics', async () => {
      await api.request('/api/quotes/AAPL');
      await api.request('/nowhere');
      const result = spawnSync(PROMTOOL_PATH, ['check', 'metrics'], {
        input: await metricsText(api),
        encoding: 'utf8',
        timeout: 10_000,
      });
      const complaints = `${result.stdout}${result.stderr}`
        .split('\n')
        .filter((line) => line.trim() !== '');
      const unexpected = complaints.filter(
        (line) =>
          !KNOWN_PROMTOOL_COMPLAINTS.some((name) =>
            line.startsWith(`${name} `),
          ),
      );
      expect(unexpected).toEqual([]);
      expect(result.error).toBeUndefined();
    });
  },
);

describeWithTool('prometheus', PROMTOOL_PATH, 'dashboard queries', () => {
  it('parse as PromQL', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'market-data-rules-'));
    try {
      const rules = dashboardQueries().map(
        (query, index) =>
          `      - record: dashboard:query_${index}\n        expr: ${JSON.stringify(query.replaceAll('$__rate_interval', '5m'))}`,
      );
      const file = path.join(dir, 'rules.yml');
      writeFileSync(
        file,
        ['groups:', '  - name: dashboard', '    rules:', ...rules, ''].join(
          '\n',
        ),
      );
      const result = spawnSync(PROMTOOL_PATH, ['check', 'rules', file], {
        encoding: 'utf8',
        timeout: 10_000,
      });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describeWithTool('prometheus', PROMETHEUS_PATH, 'scraped by Prometheus', () => {
  let api: TestApp;
  let workDir: string;

  beforeAll(async () => {
    api = await startTestApp();
    workDir = mkdtempSync(path.join(tmpdir(), 'market-data-prometheus-'));
  });

  afterAll(async () => {
    await api.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  it('answers a query for api_requests_total', async () => {
    await api.request('/health/live');
    const target = new URL(api.baseUrl).host;
    const configFile = path.join(workDir, 'prometheus.yml');
    writeFileSync(
      configFile,
      [
        'global:',
        '  scrape_interval: 1s',
        'scrape_configs:',
        '  - job_name: market-data-api',
        '    static_configs:',
        `      - targets: ['${target}']`,
        '',
      ].join('\n'),
    );
    const port = await freePort();
    const prometheus = spawn(
      PROMETHEUS_PATH,
      [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${path.join(workDir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { stdio: 'ignore' },
    );
    try {
      const query = `http://127.0.0.1:${port}/api/v1/query?query=api_requests_total`;
      let results: { metric: Record<string, string> }[] = [];
      const until = Date.now() + 30_000;
      while (results.length === 0 && Date.now() < until) {
        await sleep(500);
        const response = await fetch(query).catch(() => null);
        if (!response?.ok) continue;
        const body = (await response.json()) as {
          data: { result: { metric: Record<string, string> }[] };
        };
        results = body.data.result;
      }
      expect(results.length).toBeGreaterThan(0);
      expect(results.map((result) => result.metric.route)).toContain(
        '/health/live',
      );
    } finally {
      if (prometheus.pid !== undefined && prometheus.exitCode === null) {
        const exited = once(prometheus, 'exit');
        process.kill(prometheus.pid, 'SIGTERM');
        await exited;
      }
    }
  }, 40_000);
});
