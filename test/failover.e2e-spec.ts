import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { NO_CACHE, startTestApp, type TestApp } from './support/app.js';
import {
  fixture,
  route,
  startFakeUpstream,
  type FakeUpstream,
} from './support/fake-upstream.js';
import { describeWithTestData } from './support/test-data.js';

const POLYGON_KEY = 'pk-failover-secret';
const ALPHA_KEY = 'av-failover-secret';

interface Problem {
  status: number;
  code: string;
  detail: string;
  attempts?: { source: string; code: string; detail: string }[];
}

let polygon: FakeUpstream;
let alpha: FakeUpstream;

beforeAll(async () => {
  polygon = await startFakeUpstream();
  alpha = await startFakeUpstream();
});

afterAll(async () => {
  await polygon.close();
  await alpha.close();
});

afterEach(() => {
  polygon.calls.length = 0;
  alpha.calls.length = 0;
});

function baseEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...NO_CACHE,
    POLYGON_KEY,
    POLYGON_BASE_URL: polygon.baseUrl,
    POLYGON_QUOTA_PER_MINUTE: '0',
    ALPHA_VANTAGE_KEY: ALPHA_KEY,
    ALPHA_VANTAGE_BASE_URL: alpha.baseUrl,
    ALPHA_VANTAGE_QUOTA_PER_SECOND: '0',
    ALPHA_VANTAGE_QUOTA_PER_DAY: '0',
    UPSTREAM_RETRIES: '0',
    QUOTE_PROVIDERS: 'polygon,alpha_vantage,simulated',
    ...extra,
  };
}

const alphaQuote = () =>
  route(
    '/query',
    { function: 'GLOBAL_QUOTE' },
    { body: fixture('alphavantage/global_quote_MSFT.json') },
  );
const polygonDown = () => route(/.*/, {}, { status: 503, body: 'unavailable' });

describeWithTestData('failover across upstream sources', () => {
  let api: TestApp;

  beforeAll(async () => {
    api = await startTestApp({ env: baseEnv() });
  });

  afterAll(async () => {
    await api.close();
  });

  it('answers from the next source when the first fails', async () => {
    polygon.setRoutes([polygonDown()]);
    alpha.setRoutes([alphaQuote()]);
    const { status, body } = await api.json('/api/quotes/MSFT');
    expect(status).toBe(200);
    expect(body.source).toBe('alpha_vantage');
    expect(body.price).toBe(112.13);
    expect(polygon.calls.length).toBeGreaterThan(0);
    expect(alpha.calls).toHaveLength(1);
  });

  it('tries the sources in the configured order', async () => {
    polygon.setRoutes([polygonDown()]);
    alpha.setRoutes([alphaQuote()]);
    await api.json('/api/quotes/MSFT');
    expect(polygon.calls[0]?.path).toContain('MSFT');
    expect(alpha.calls[0]?.query.symbol).toBe('MSFT');
  });

  it('falls back to simulated when both upstreams fail', async () => {
    polygon.setRoutes([polygonDown()]);
    alpha.setRoutes([route('/query', {}, { status: 500 })]);
    const { status, body } = await api.json('/api/quotes/AAPL');
    expect(status).toBe(200);
    expect(body.source).toBe('simulated');
  });

  it('stops searching at the first source with matches', async () => {
    polygon.setRoutes([polygonDown()]);
    alpha.setRoutes([
      route(
        '/query',
        { function: 'SYMBOL_SEARCH' },
        { body: fixture('alphavantage/symbol_search_BA.json') },
      ),
    ]);
    const { status, body } = await api.json<{
      results: { source: string }[];
      errors: { source: string }[];
    }>('/api/symbols?query=ba');
    expect(status).toBe(200);
    expect(body.results[0]?.source).toBe('alpha_vantage');
    expect(body.errors.map((error) => error.source)).toEqual(['polygon']);
  });

  it('keeps keys out of problem bodies', async () => {
    polygon.setRoutes([
      route(
        /.*/,
        {},
        {
          status: 401,
          body: JSON.stringify({
            status: 'ERROR',
            error: `bad key ${POLYGON_KEY}`,
          }),
        },
      ),
    ]);
    alpha.setRoutes([
      route(
        '/query',
        {},
        {
          body: JSON.stringify({
            'Error Message': `the parameter apikey=${ALPHA_KEY} is invalid`,
          }),
        },
      ),
    ]);
    const response = await api.request('/api/stocks/ZZZZZ/profile');
    const text = await response.text();
    expect(text).not.toContain(POLYGON_KEY);
    expect(text).not.toContain(ALPHA_KEY);
  });
});

describeWithTestData('failover when nothing answers', () => {
  let api: TestApp;

  beforeAll(async () => {
    api = await startTestApp({
      env: baseEnv({ QUOTE_PROVIDERS: 'polygon,alpha_vantage' }),
    });
  });

  afterAll(async () => {
    await api.close();
  });

  it('lists every source in a 503', async () => {
    polygon.setRoutes([polygonDown()]);
    alpha.setRoutes([route('/query', {}, { status: 502 })]);
    const { status, body } = await api.json<Problem>('/api/quotes/MSFT');
    expect(status).toBe(503);
    expect(body.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(body.attempts?.map((attempt) => attempt.source)).toEqual([
      'polygon',
      'alpha_vantage',
    ]);
  });

  it('fails a search when every source fails', async () => {
    const searching = await startTestApp({
      env: baseEnv({ SEARCH_PROVIDERS: 'polygon,alpha_vantage' }),
    });
    polygon.setRoutes([polygonDown()]);
    alpha.setRoutes([route('/query', {}, { status: 500 })]);
    const { status, body } = await searching.json<Problem>(
      '/api/symbols?query=ba',
    );
    await searching.close();
    expect(status).toBe(503);
    expect(body.attempts?.map((attempt) => attempt.source)).toEqual([
      'polygon',
      'alpha_vantage',
    ]);
  });

  it('sends Retry-After when every source is rate limited', async () => {
    polygon.setRoutes([
      route(/.*/, {}, { status: 429, headers: { 'retry-after': '120' } }),
    ]);
    alpha.setRoutes([
      route('/query', {}, { status: 429, headers: { 'retry-after': '90' } }),
    ]);
    const response = await api.request('/api/quotes/MSFT');
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('90');
  });

  it('answers 404 only when every source says not found', async () => {
    polygon.setRoutes([
      route(
        /.*/,
        {},
        {
          status: 404,
          body: JSON.stringify({ status: 'NOT_FOUND', request_id: 'x' }),
        },
      ),
    ]);
    alpha.setRoutes([
      route(
        '/query',
        { function: 'GLOBAL_QUOTE' },
        { body: JSON.stringify({ 'Global Quote': {} }) },
      ),
    ]);
    const { status, body } = await api.json<Problem>('/api/quotes/ZZZZZ');
    expect(status).toBe(404);
    expect(body.code).toBe('SYMBOL_NOT_FOUND');
    expect(body.attempts?.map((attempt) => attempt.code)).toEqual([
      'SYMBOL_NOT_FOUND',
      'SYMBOL_NOT_FOUND',
    ]);
  });
});

describeWithTestData('quotas, circuit and deadline', () => {
  it('skips a source whose quota is used up', async () => {
    const api = await startTestApp({
      env: baseEnv({ POLYGON_QUOTA_PER_MINUTE: '1' }),
    });
    polygon.setRoutes([polygonDown()]);
    alpha.setRoutes([alphaQuote()]);
    await api.json('/api/quotes/MSFT');
    const before = polygon.calls.length;
    const second = await api.json('/api/quotes/MSFT');
    const providers = await api.json<{
      providers: { id: string; info?: { quota?: { remaining: number }[] } }[];
    }>('/api/providers');
    await api.close();
    expect(second.body.source).toBe('alpha_vantage');
    expect(polygon.calls.length).toBe(before);
    const polygonReport = providers.body.providers.find(
      (provider) => provider.id === 'polygon',
    );
    expect(polygonReport?.info?.quota?.[0]?.remaining).toBe(0);
  });

  it('shares one quota between replicas through Redis', async () => {
    const env = baseEnv({
      POLYGON_KEY: `pk-replicas-${Date.now()}`,
      POLYGON_QUOTA_PER_MINUTE: '1',
      REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    });
    const first = await startTestApp({ env });
    const second = await startTestApp({ env });
    polygon.setRoutes([polygonDown()]);
    alpha.setRoutes([alphaQuote()]);
    await first.json('/api/quotes/MSFT');
    const callsAfterFirst = polygon.calls.length;
    const other = await second.json('/api/quotes/MSFT');
    await first.close();
    await second.close();
    expect(callsAfterFirst).toBeGreaterThan(0);
    expect(other.body.source).toBe('alpha_vantage');
    expect(polygon.calls.length).toBe(callsAfterFirst);
  });

  it('stops calling a source with an open circuit', async () => {
    const api = await startTestApp({
      env: baseEnv({
        CIRCUIT_BREAKER_FAILURES: '2',
        CIRCUIT_BREAKER_COOLDOWN: '60',
      }),
    });
    polygon.setRoutes([polygonDown()]);
    alpha.setRoutes([alphaQuote()]);
    await api.json('/api/quotes/MSFT');
    await api.json('/api/quotes/MSFT');
    const calls = polygon.calls.length;
    const third = await api.json('/api/quotes/MSFT');
    const providers = await api.json<{
      providers: { id: string; state: string; detail: string }[];
    }>('/api/providers');
    await api.close();
    expect(third.body.source).toBe('alpha_vantage');
    expect(polygon.calls.length).toBe(calls);
    const report = providers.body.providers.find(
      (provider) => provider.id === 'polygon',
    );
    expect(report?.state).toBe('down');
    expect(report?.detail).toContain('answered HTTP 503');
  });

  it('lists every source tried in the 504', async () => {
    const api = await startTestApp({
      env: baseEnv({
        QUOTE_PROVIDERS: 'polygon,alpha_vantage',
        REQUEST_DEADLINE: '1',
        UPSTREAM_TIMEOUT: '0.6',
      }),
    });
    polygon.setRoutes([route(/.*/, {}, { delayMs: 3000, body: '{}' })]);
    alpha.setRoutes([route('/query', {}, { delayMs: 3000, body: '{}' })]);
    const { status, body } = await api.json<Problem>('/api/quotes/MSFT');
    await api.close();
    expect(status).toBe(504);
    expect(
      body.attempts?.map((attempt) => [attempt.source, attempt.code]),
    ).toEqual([
      ['polygon', 'UPSTREAM_UNAVAILABLE'],
      ['alpha_vantage', 'UPSTREAM_TIMEOUT'],
    ]);
  });

  it('ends with 504 when the deadline passes', async () => {
    const api = await startTestApp({
      env: baseEnv({
        QUOTE_PROVIDERS: 'polygon,alpha_vantage',
        REQUEST_DEADLINE: '1',
        UPSTREAM_TIMEOUT: '5',
      }),
    });
    polygon.setRoutes([route(/.*/, {}, { delayMs: 3000, body: '{}' })]);
    alpha.setRoutes([alphaQuote()]);
    const started = Date.now();
    const { status, body } = await api.json<Problem>('/api/quotes/MSFT');
    const elapsed = Date.now() - started;
    await api.close();
    expect(status).toBe(504);
    expect(body.code).toBe('UPSTREAM_TIMEOUT');
    expect(elapsed).toBeLessThan(2500);
  });
});
