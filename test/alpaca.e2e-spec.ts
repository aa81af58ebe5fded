import { afterAll, beforeAll, expect, it } from 'vitest';
import { NO_CACHE, startTestApp, type TestApp } from './support/app.js';
import {
  type FakeResponse,
  derivedFixture,
  fixture,
  route,
  useFakeUpstream,
} from './support/fake-upstream.js';
import { describeWithTestData } from './support/test-data.js';

const KEY_ID = 'AKE2E5R8W1';
const SECRET = 'sk-alpaca-e2e-4c7d90aa';
/** Tuesday 2024-01-02, 10:00 in New York: after every recorded bar. */
const NOW = Date.parse('2024-01-02T15:00:00Z');

interface QuoteJson {
  symbol: string;
  price: number;
  bid: number | null;
  ask: number | null;
  source: string;
}

interface HistoryJson {
  source: string;
  adjustment: string;
  timeZone: string;
  bars: { date: string; close: number }[];
}

interface ProblemJson {
  status: number;
  code: string;
  detail: string;
}

const upstream = useFakeUpstream();

/** Settings that enable Alpaca against the fake, with simulated as quote fallback. */
function alpacaEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...NO_CACHE,
    ALPACA_KEY_ID: KEY_ID,
    ALPACA_SECRET_KEY: SECRET,
    ALPACA_BASE_URL: upstream().baseUrl,
    ALPACA_QUOTA_PER_MINUTE: '0',
    QUOTE_PROVIDERS: 'alpaca,simulated',
    HISTORY_PROVIDERS: 'alpaca',
    UPSTREAM_RETRIES: '0',
    UPSTREAM_TIMEOUT: '1',
    // Failures in one test must not open the circuit for the next.
    CIRCUIT_BREAKER_FAILURES: '1000',
    ...extra,
  };
}

const transcribed = (file: string, status = 200): FakeResponse => ({
  status,
  body: fixture(`alpaca/transcribed/${file}`),
});
const stockSnapshot = () => transcribed('v2_stocks_AAPL_snapshot.json');

describeWithTestData('Alpaca quotes over REST', () => {
  let api: TestApp;

  beforeAll(async () => {
    api = await startTestApp({ now: NOW, env: alpacaEnv() });
  });

  afterAll(async () => {
    await api.close();
  });

  it('serves the recorded stock snapshot', async () => {
    upstream().setRoutes([
      route('/v2/stocks/AAPL/snapshot', { feed: 'iex' }, stockSnapshot),
    ]);
    const { status, body } = await api.json<QuoteJson>('/api/quotes/AAPL');
    expect(status).toBe(200);
    expect(body).toMatchObject({
      symbol: 'AAPL',
      price: 133.55,
      bid: 133.54,
      ask: 133.55,
      source: 'alpaca',
    });
    expect(upstream().calls).toHaveLength(1);
    expect(upstream().calls[0]?.headers['apca-api-key-id']).toBe(KEY_ID);
    expect(upstream().calls[0]?.headers['apca-api-secret-key']).toBe(SECRET);
  });

  it('serves the recorded crypto snapshot', async () => {
    upstream().setRoutes([
      route('/v1beta3/crypto/us/snapshots', { symbols: 'ETH/USD' }, () =>
        transcribed('v1beta3_crypto_us_snapshots_ETH_USD.json'),
      ),
    ]);
    const { status, body } = await api.json<QuoteJson>('/api/quotes/ETH-USD');
    expect(status).toBe(200);
    expect(body).toMatchObject({
      symbol: 'ETH-USD',
      price: 4393.18,
      source: 'alpaca',
    });
    expect(upstream().calls.map((call) => call.path)).toEqual([
      '/v1beta3/crypto/us/snapshots',
    ]);
  });

  it('fails over to simulated', async () => {
    upstream().setRoutes([() => ({ status: 500, body: 'internal error' })]);
    const { status, body } = await api.json<QuoteJson>('/api/quotes/MSFT');
    expect(status).toBe(200);
    expect(body.source).toBe('simulated');
    expect(upstream().calls.map((call) => call.path)).toEqual([
      '/v2/stocks/MSFT/snapshot',
    ]);
  });

  it('leaves indices to simulated', async () => {
    upstream().setRoutes([stockSnapshot]);
    const { status, body } = await api.json<QuoteJson>('/api/quotes/%5EGSPC');
    expect(status).toBe(200);
    expect(body.source).toBe('simulated');
    expect(upstream().calls).toHaveLength(0);
  });

  it('lists alpaca with quote, history and stream', async () => {
    const { status, body } = await api.json<{
      providers: { id: string; capabilities: string[] }[];
    }>('/api/providers');
    const alpaca = body.providers.find((provider) => provider.id === 'alpaca');
    expect(status).toBe(200);
    expect(alpaca?.capabilities).toEqual(['quote', 'history', 'stream']);
  });
});

describeWithTestData('Alpaca history over REST', () => {
  let api: TestApp;

  beforeAll(async () => {
    api = await startTestApp({ now: NOW, env: alpacaEnv() });
  });

  afterAll(async () => {
    await api.close();
  });

  it('serves adjusted daily bars', async () => {
    upstream().setRoutes([
      route('/v2/stocks/AAPL/bars', { adjustment: 'all' }, () => ({
        body: derivedFixture('alpaca/v2_stocks_AAPL_bars_1Day_2022-02-01.json'),
      })),
    ]);
    const { status, body } = await api.json<HistoryJson>(
      '/api/stocks/AAPL/history?interval=1d&from=2022-02-01&to=2022-02-02',
    );
    expect(status).toBe(200);
    expect(body.source).toBe('alpaca');
    expect(body.adjustment).toBe('split+dividend');
    expect(body.timeZone).toBe('America/New_York');
    expect(body.bars).toEqual([
      expect.objectContaining({ date: '2022-02-01', close: 174.61 }),
      expect.objectContaining({ date: '2022-02-02', close: 175.84 }),
    ]);
    expect(upstream().calls[0]?.query.feed).toBe('iex');
  });

  it('serves raw bars on request', async () => {
    upstream().setRoutes([
      route('/v2/stocks/META/bars', { adjustment: 'raw' }, () => ({
        body: derivedFixture('alpaca/v2_stocks_META_bars_1Day_page2.json'),
      })),
    ]);
    const { status, body } = await api.json<HistoryJson>(
      '/api/stocks/META/history?interval=1d&from=2022-06-10&to=2022-06-13&adjusted=false',
    );
    expect(status).toBe(200);
    expect(body.adjustment).toBe('raw');
    expect(body.bars.map((bar) => bar.date)).toEqual([
      '2022-06-10',
      '2022-06-13',
    ]);
  });

  it('reports an empty series', async () => {
    upstream().setRoutes([
      () => ({
        body: derivedFixture('alpaca/v2_stocks_ZZZZ_bars_empty.json'),
      }),
    ]);
    const { status, body } = await api.json<ProblemJson>(
      '/api/stocks/ZZZZ/history?interval=1d&from=2022-02-01&to=2022-02-02',
    );
    expect(status).toBe(404);
    expect(body.code).toBe('DATA_NOT_AVAILABLE');
  });

  it('keeps credentials out of problems', async () => {
    const echo = JSON.stringify({
      message: `invalid request from key ${KEY_ID} with secret ${SECRET}`,
    });
    upstream().setRoutes([() => ({ status: 400, body: echo })]);
    const response = await api.request(
      '/api/stocks/TSLA/history?interval=1d&from=2022-02-01&to=2022-02-02',
    );
    const text = await response.text();
    expect(response.status).toBe(503);
    expect(text).toContain('with secret ***');
    expect(text).not.toContain(KEY_ID);
    expect(text).not.toContain(SECRET);
  });
});

describeWithTestData('Alpaca on the SIP feed', () => {
  let api: TestApp;

  beforeAll(async () => {
    api = await startTestApp({
      now: NOW,
      env: alpacaEnv({ ALPACA_FEED: 'sip' }),
    });
  });

  afterAll(async () => {
    await api.close();
  });

  it('reads IEX quotes once SIP is denied', async () => {
    upstream().setRoutes([
      route('/v2/stocks/AAPL/snapshot', { feed: 'sip' }, () =>
        transcribed(
          'error_403_subscription_does_not_permit_recent_sip.json',
          403,
        ),
      ),
      route('/v2/stocks/AAPL/snapshot', { feed: 'iex' }, stockSnapshot),
    ]);
    const { status, body } = await api.json<QuoteJson>('/api/quotes/AAPL');
    expect(status).toBe(200);
    expect(body.source).toBe('alpaca');
    expect(upstream().calls.map((call) => call.query.feed)).toEqual([
      'sip',
      'iex',
    ]);
  });
});
