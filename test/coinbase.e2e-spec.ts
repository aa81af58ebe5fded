import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USER_AGENT } from '../src/providers/coinbase/coinbase-http.js';
import { NO_CACHE, startTestApp, type TestApp } from './support/app.js';
import {
  derivedFixture,
  route,
  useFakeUpstream,
  type FakeResponse,
  type FakeRoute,
} from './support/fake-upstream.js';

/** Friday 2024-03-15, 14:30 UTC, just after the trade in the ticker payload. */
const NOW = Date.parse('2024-03-15T14:30:00Z');

interface SummaryJson {
  symbol: string;
  quote: QuoteJson;
  profile: { name: string | null; source: string } | null;
}

interface QuoteJson {
  symbol: string;
  price: number;
  previousClose: number | null;
  session: string;
  asOf: string;
  source: string;
}

interface HistoryJson {
  symbol: string;
  interval: string;
  timeZone: string;
  adjustment: string;
  source: string;
  bars: { date: string; open: number; close: number; complete: boolean }[];
}

interface ProblemJson {
  status: number;
  code: string;
}

const upstream = useFakeUpstream();

function payload(name: string, status = 200): FakeResponse {
  return { status, body: derivedFixture(`coinbase/${name}`) };
}

/** Serves the BTC-USD ticker and stats payloads under another product's paths. */
function quoteRoutes(productId: string): FakeRoute[] {
  return [
    route(`/products/${productId}/ticker`, {}, payload('ticker_BTC-USD.json')),
    route(`/products/${productId}/stats`, {}, payload('stats_BTC-USD.json')),
  ];
}

function calledPaths(): string[] {
  return upstream()
    .calls.map((call) => call.path)
    .sort();
}

describe('Coinbase over REST', () => {
  let api: TestApp;

  beforeAll(async () => {
    api = await startTestApp({
      now: NOW,
      env: {
        COINBASE_ENABLED: 'true',
        COINBASE_BASE_URL: upstream().baseUrl,
        COINBASE_QUOTA_PER_SECOND: '0',
        QUOTE_PROVIDERS: 'coinbase,simulated',
        HISTORY_PROVIDERS: 'coinbase,simulated',
        PROFILE_PROVIDERS: 'coinbase',
        SEARCH_PROVIDERS: 'coinbase',
        UPSTREAM_RETRIES: '0',
        UPSTREAM_TIMEOUT: '1',
        // Failures in one test must not open the circuit for the next.
        CIRCUIT_BREAKER_FAILURES: '1000',
        // Every request reaches the fake, so its recorded calls tell all.
        ...NO_CACHE,
      },
    });
  });

  afterAll(async () => {
    await api.close();
  });

  it('serves the BTC-USD summary', async () => {
    upstream().setRoutes([
      ...quoteRoutes('BTC-USD'),
      route('/products/BTC-USD', {}, payload('product_BTC-USD.json')),
    ]);
    const { status, body } = await api.json<SummaryJson>('/api/crypto/BTC-USD');
    expect(status).toBe(200);
    expect(body.quote).toMatchObject({
      symbol: 'BTC-USD',
      price: 68512.44,
      previousClose: 70812.27,
      session: 'regular',
      asOf: '2024-03-15T14:29:59.823Z',
      source: 'coinbase',
    });
    expect(body.profile).toMatchObject({ name: 'BTC-USD', source: 'coinbase' });
    expect(calledPaths()).toEqual([
      '/products/BTC-USD',
      '/products/BTC-USD/stats',
      '/products/BTC-USD/ticker',
    ]);
  });

  it('sends the User-Agent upstream', async () => {
    upstream().setRoutes(quoteRoutes('BTC-USD'));
    await api.request('/api/crypto/BTC-USD');
    expect(upstream().calls).toHaveLength(3);
    for (const call of upstream().calls) {
      expect(call.headers['user-agent'], call.path).toBe(USER_AGENT);
    }
  });

  it('serves BTCUSDT history as BTC-USDT', async () => {
    upstream().setRoutes([
      route(
        '/products/BTC-USDT/candles',
        {},
        payload('candles_BTC-USD_1d_2024-03-11_2024-03-15.json'),
      ),
    ]);
    const { status, body } = await api.json<HistoryJson>(
      '/api/crypto/BTCUSDT/history?interval=1d&from=2024-03-11&to=2024-03-15',
    );
    expect(status).toBe(200);
    expect(body).toMatchObject({
      symbol: 'BTC-USDT',
      interval: '1d',
      timeZone: 'UTC',
      adjustment: 'raw',
      source: 'coinbase',
    });
    expect(body.bars.map((bar) => bar.date)).toEqual([
      '2024-03-11',
      '2024-03-12',
      '2024-03-13',
      '2024-03-14',
      '2024-03-15',
    ]);
    expect(body.bars.at(-1)?.complete).toBe(false);
    expect(upstream().calls[0]?.query).toEqual({
      granularity: '86400',
      start: '2024-03-11T00:00:00Z',
      end: '2024-03-15T00:00:00Z',
    });
  });

  it('gives one history body in any zone', async () => {
    upstream().setRoutes([
      route(
        '/products/BTC-USD/candles',
        {},
        payload('candles_BTC-USD_1d_2024-03-11_2024-03-15.json'),
      ),
    ]);
    const original = process.env.TZ;
    const bodies: string[] = [];
    try {
      for (const zone of ['UTC', 'America/Los_Angeles']) {
        process.env.TZ = zone;
        const response = await api.request(
          '/api/crypto/BTC-USD/history?from=2024-03-11&to=2024-03-15',
        );
        bodies.push(await response.text());
      }
    } finally {
      process.env.TZ = original;
    }
    expect(upstream().calls).toHaveLength(2);
    expect(bodies[0]).toContain('"date":"2024-03-11"');
    expect(bodies[1]).toBe(bodies[0]);
  });

  it('builds 30m bars from 15m candles', async () => {
    upstream().setRoutes([
      route(
        '/products/BTC-USD/candles',
        { granularity: '900' },
        payload('candles_BTC-USD_15m_2024-03-15T12-00_2024-03-15T13-45.json'),
      ),
    ]);
    const { status, body } = await api.json<HistoryJson>(
      '/api/crypto/BTC-USD/history?interval=30m&from=2024-03-15T12:00:00Z&to=2024-03-15T13:59:00Z',
    );
    expect(status).toBe(200);
    expect(body.bars.map((bar) => bar.close)).toEqual([
      68522.88, 68190.07, 68155.26, 68512.44,
    ]);
  });

  it('serves the profile', async () => {
    upstream().setRoutes([
      route('/products/BTC-USD', {}, payload('product_BTC-USD.json')),
    ]);
    const { status, body } = await api.json('/api/crypto/BTC-USD/profile');
    expect(status).toBe(200);
    expect(body).toMatchObject({
      symbol: 'BTC-USD',
      assetClass: 'crypto',
      base: 'BTC',
      quote: 'USD',
      timeZone: 'UTC',
      source: 'coinbase',
    });
  });

  it('searches the product list', async () => {
    upstream().setRoutes([route('/products', {}, payload('products.json'))]);
    const { status, body } = await api.json<{
      results: { symbol: string; source: string }[];
    }>('/api/symbols?query=btc/usd');
    expect(status).toBe(200);
    expect(body.results[0]).toEqual(
      expect.objectContaining({ symbol: 'BTC-USD', source: 'coinbase' }),
    );
    expect(calledPaths()).toEqual(['/products']);
  });

  it('reports an unknown product', async () => {
    upstream().setRoutes([
      route(
        /^\/products\/SKL-EUR\//,
        {},
        payload('error_404_not_found.json', 404),
      ),
    ]);
    const { status, body } = await api.json<ProblemJson>('/api/crypto/SKL-EUR');
    expect(status).toBe(404);
    expect(body.code).toBe('SYMBOL_NOT_FOUND');
    // The product lookup runs beside the quote and may arrive after the
    // response. Waiting for it keeps it out of the next test's calls.
    await expect
      .poll(calledPaths)
      .toEqual([
        '/products/SKL-EUR',
        '/products/SKL-EUR/stats',
        '/products/SKL-EUR/ticker',
      ]);
  });

  it('fails quotes over to simulated', async () => {
    upstream().setRoutes([
      route(/^\/products\/ETH-USD/, {}, { status: 500, body: 'internal' }),
    ]);
    const { status, body } = await api.json<SummaryJson>('/api/crypto/ETH-USD');
    expect(status).toBe(200);
    expect(body.quote.source).toBe('simulated');
    expect(body.profile).toBeNull();
    expect(calledPaths()).toEqual([
      '/products/ETH-USD',
      '/products/ETH-USD/stats',
      '/products/ETH-USD/ticker',
    ]);
  });

  it('fails history over to simulated', async () => {
    upstream().setRoutes([
      route(
        '/products/ETH-USD/candles',
        {},
        {
          headers: { 'content-type': 'text/html' },
          body: derivedFixture('coinbase/html_error_page.html'),
        },
      ),
    ]);
    const { status, body } = await api.json<HistoryJson>(
      '/api/crypto/ETH-USD/history?interval=1d&from=2024-03-11&to=2024-03-14',
    );
    expect(status).toBe(200);
    expect(body.source).toBe('simulated');
    expect(calledPaths()).toEqual(['/products/ETH-USD/candles']);
  });
});
