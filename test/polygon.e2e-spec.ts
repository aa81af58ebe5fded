import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { NO_CACHE, startTestApp, type TestApp } from './support/app.js';
import {
  derivedFixture,
  fixture,
  route,
  startFakeUpstream,
  type FakeResponse,
  type FakeUpstream,
} from './support/fake-upstream.js';
import { describeWithTestData } from './support/test-data.js';

const KEY = 'pk-e2e-8c41d7';
/** Wednesday 2022-10-19, 12:05 in New York, while US markets are open. */
const NOW = Date.parse('2022-10-19T16:05:00Z');
const STOCKS = '/v2/snapshot/locale/us/markets/stocks/tickers';
/** Seconds a whole request may take before it ends with 504. */
const DEADLINE_SECONDS = 5;

interface QuoteJson {
  symbol: string;
  price: number;
  high: number | null;
  low: number | null;
  source: string;
}

interface ProblemJson {
  status: number;
  code: string;
  detail: string;
}

const recorded = (file: string): FakeResponse => ({
  body: fixture(`polygon/${file}`),
});
const stockSnapshot = () =>
  recorded('v2_snapshot_locale_us_markets_stocks_tickers_AAPL.json');

let fake: FakeUpstream;
let api: TestApp;

beforeAll(async () => {
  fake = await startFakeUpstream();
  api = await startTestApp({
    now: NOW,
    env: {
      ...NO_CACHE,
      POLYGON_KEY: KEY,
      POLYGON_BASE_URL: fake.baseUrl,
      POLYGON_QUOTA_PER_MINUTE: '0',
      QUOTE_PROVIDERS: 'polygon,simulated',
      HISTORY_PROVIDERS: 'polygon',
      PROFILE_PROVIDERS: 'polygon',
      SEARCH_PROVIDERS: 'polygon',
      UPSTREAM_RETRIES: '0',
      UPSTREAM_TIMEOUT: '1',
      REQUEST_DEADLINE: String(DEADLINE_SECONDS),
      // Failures in one test must not open the circuit for the next.
      CIRCUIT_BREAKER_FAILURES: '1000',
    },
  });
});

afterAll(async () => {
  await api.close();
  await fake.close();
});

afterEach(() => {
  fake.calls.length = 0;
  fake.setRoutes([]);
});

describeWithTestData('Polygon quotes over REST', () => {
  it('sends BRK.B as BRK.B', async () => {
    fake.setRoutes([route(`${STOCKS}/BRK.B`, {}, stockSnapshot)]);
    const { status, body } = await api.json<QuoteJson>('/api/quotes/BRK.B');
    expect(status).toBe(200);
    expect(body.symbol).toBe('BRK.B');
    expect(body.source).toBe('polygon');
    expect(fake.calls.map((call) => call.path)).toEqual([`${STOCKS}/BRK.B`]);
  });

  it('sends ^GSPC as I:SPX', async () => {
    fake.setRoutes([
      route(
        '/v3/snapshot/indices',
        { 'ticker.any_of': 'I:SPX' },
        recorded('v3_snapshot_indices_ticker.any_of_SPX_2CAPx_2CAPy.json'),
      ),
    ]);
    const { status, body } = await api.json<QuoteJson>('/api/quotes/%5EGSPC');
    expect(status).toBe(200);
    expect(body).toMatchObject({ symbol: '^GSPC', price: 3822.39 });
    expect(body.high).toBeNull();
    expect(body.low).toBeNull();
    expect(fake.calls[0]?.query['ticker.any_of']).toBe('I:SPX');
  });

  it('sends BTC-USD as X:BTCUSD', async () => {
    fake.setRoutes([
      () => ({
        body: derivedFixture('polygon/v2_snapshot_crypto_X_BTCUSD.json'),
      }),
    ]);
    const { status, body } = await api.json<QuoteJson>('/api/quotes/BTC-USD');
    expect(status).toBe(200);
    expect(body.source).toBe('polygon');
    expect(fake.calls[0]?.path).toBe(
      '/v2/snapshot/locale/global/markets/crypto/tickers/X:BTCUSD',
    );
  });

  it('sends EUR-USD as C:EURUSD', async () => {
    fake.setRoutes([
      () => ({
        body: derivedFixture('polygon/v2_snapshot_forex_C_EURUSD.json'),
      }),
    ]);
    const { status, body } = await api.json<QuoteJson>('/api/quotes/EUR-USD');
    expect(status).toBe(200);
    expect(body.price).toBe(0.97989);
    expect(fake.calls[0]?.path).toBe(
      '/v2/snapshot/locale/global/markets/forex/tickers/C:EURUSD',
    );
  });

  it('fails over to simulated', async () => {
    fake.setRoutes([() => ({ status: 500, body: 'internal error' })]);
    const { status, body } = await api.json<QuoteJson>('/api/quotes/AAPL');
    expect(status).toBe(200);
    expect(body.source).toBe('simulated');
    expect(fake.calls.map((call) => call.path)).toEqual([`${STOCKS}/AAPL`]);
  });
});

describeWithTestData('Polygon history, profile and search', () => {
  it('serves the recorded daily range', async () => {
    fake.setRoutes([
      route(
        '/v2/aggs/ticker/AAPL/range/1/day/2005-04-01/2005-04-04',
        { adjusted: 'true' },
        recorded('v2_aggs_ticker_AAPL_range_1_day_2005-04-01_2005-04-04.json'),
      ),
    ]);
    const { status, body } = await api.json<{
      source: string;
      adjustment: string;
      timeZone: string;
      bars: { date: string; close: number }[];
    }>('/api/stocks/AAPL/history?interval=1d&from=2005-04-01&to=2005-04-04');
    expect(status).toBe(200);
    expect(body.source).toBe('polygon');
    expect(body.adjustment).toBe('split');
    expect(body.timeZone).toBe('America/New_York');
    expect(body.bars).toEqual([
      expect.objectContaining({ date: '2005-04-01', close: 1.4604 }),
      expect.objectContaining({ date: '2005-04-04', close: 1.4675 }),
    ]);
  });

  it('ends a looping cursor chain', async () => {
    fake.setRoutes([
      (call) => ({
        body: derivedFixture(
          call.query.cursor
            ? 'polygon/v2_aggs_AAPL_page2_cursor_loop.json'
            : 'polygon/v2_aggs_AAPL_page1_cursor_loop.json',
        ),
      }),
    ]);
    const started = Date.now();
    const { status, body } = await api.json<ProblemJson>(
      '/api/stocks/AAPL/history?interval=1d&from=2005-04-01&to=2005-04-04',
    );
    expect(Date.now() - started).toBeLessThan(DEADLINE_SECONDS * 1000);
    expect(status).toBe(502);
    expect(body.code).toBe('UPSTREAM_MALFORMED');
    expect(body.detail).toContain('repeats an earlier cursor');
    expect(fake.calls).toHaveLength(2);
  });

  it('caps an endless cursor chain', async () => {
    let page = 0;
    fake.setRoutes([
      () => {
        page += 1;
        return {
          body: JSON.stringify({
            status: 'OK',
            adjusted: true,
            resultsCount: 1,
            results: [{ t: 1112331600000, o: 1, h: 1, l: 1, c: 1, v: 1 }],
            next_url: `https://api.polygon.io/v2/aggs/ticker/AAPL/range/1/day/a/b?cursor=page${page}`,
          }),
        };
      },
    ]);
    const started = Date.now();
    const { status, body } = await api.json<ProblemJson>(
      '/api/stocks/AAPL/history?interval=1d&from=2005-04-01&to=2005-04-30',
    );
    expect(Date.now() - started).toBeLessThan(DEADLINE_SECONDS * 1000);
    expect(status).toBe(502);
    expect(body.detail).toContain('still sent a next_url');
  });

  it('serves the recorded profile', async () => {
    fake.setRoutes([
      route(
        '/v3/reference/tickers/AAPL',
        {},
        recorded('v3_reference_tickers_AAPL.json'),
      ),
    ]);
    const { status, body } = await api.json<{
      name: string;
      exchange: string;
      source: string;
    }>('/api/stocks/AAPL/profile');
    expect(status).toBe(200);
    expect(body).toMatchObject({
      name: 'Apple Inc.',
      exchange: 'XNAS',
      source: 'polygon',
    });
  });

  it('searches the recorded tickers', async () => {
    fake.setRoutes([
      route(
        '/v3/reference/tickers',
        { search: 'a', active: 'true' },
        recorded('v3_reference_tickers.json'),
      ),
    ]);
    const { status, body } = await api.json<{
      results: { symbol: string; source: string }[];
    }>('/api/symbols?query=a');
    expect(status).toBe(200);
    expect(body.results).toEqual([
      expect.objectContaining({ symbol: 'A', source: 'polygon' }),
      expect.objectContaining({ symbol: 'AA', source: 'polygon' }),
    ]);
  });

  it('keeps the key out of problems', async () => {
    fake.setRoutes([
      () => ({
        status: 400,
        body: JSON.stringify({
          status: 'ERROR',
          error: `Bad request with apiKey=${KEY}`,
        }),
      }),
    ]);
    const response = await api.request(
      '/api/stocks/AAPL/history?interval=1d&from=2005-04-01&to=2005-04-04',
    );
    const text = await response.text();
    expect(response.status).toBe(503);
    expect(text).toContain('apiKey=***');
    expect(text).not.toContain(KEY);
    expect(fake.calls[0]?.headers.authorization).toBe(`Bearer ${KEY}`);
  });
});
