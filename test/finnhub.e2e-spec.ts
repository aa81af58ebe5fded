import { ConsoleLogger, Logger } from '@nestjs/common';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { NO_CACHE, startTestApp, type TestApp } from './support/app.js';
import {
  type FakeResponse,
  derivedFixture,
  fixture,
  route,
  useFakeUpstream,
} from './support/fake-upstream.js';
import { describeWithTestData } from './support/test-data.js';

const KEY = 'fh-e2e-3b9d52';
/** Friday 2026-05-22, 17:00 in New York: after the close of the recorded quote. */
const NOW = Date.parse('2026-05-22T21:00:00Z');

interface QuoteJson {
  symbol: string;
  price: number;
  asOf: string;
  session: string;
  source: string;
}

interface ProblemJson {
  status: number;
  code: string;
  detail: string;
}

const upstream = useFakeUpstream();

/** Settings that enable Finnhub against the fake, with simulated as quote fallback. */
function finnhubEnv(
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    ...NO_CACHE,
    FINNHUB_KEY: KEY,
    FINNHUB_BASE_URL: upstream().baseUrl,
    FINNHUB_QUOTA_PER_SECOND: '0',
    FINNHUB_QUOTA_PER_MINUTE: '0',
    QUOTE_PROVIDERS: 'finnhub,simulated',
    PROFILE_PROVIDERS: 'finnhub',
    SEARCH_PROVIDERS: 'finnhub',
    UPSTREAM_RETRIES: '0',
    UPSTREAM_TIMEOUT: '1',
    // Failures in one test must not open the circuit for the next.
    CIRCUIT_BREAKER_FAILURES: '1000',
    ...extra,
  };
}

const recorded = (file: string, status = 200): FakeResponse => ({
  status,
  body: fixture(`finnhub/${file}`),
});

function callsTo(path: string) {
  return upstream().calls.filter((call) => call.path === path);
}

describeWithTestData('Finnhub over REST', () => {
  let api: TestApp;

  beforeAll(async () => {
    api = await startTestApp({ now: NOW, env: finnhubEnv() });
  });

  afterAll(async () => {
    await api.close();
  });

  it('serves the recorded quote', async () => {
    upstream().setRoutes([
      route('/quote', { symbol: 'AAPL' }, recorded('quote_AAPL.json')),
    ]);
    const { status, body } = await api.json<QuoteJson>('/api/quotes/AAPL');
    expect(status).toBe(200);
    expect(body).toMatchObject({
      symbol: 'AAPL',
      price: 308.82,
      asOf: '2026-05-22T20:00:00.000Z',
      session: 'after-hours',
      source: 'finnhub',
    });
    expect(callsTo('/quote')).toHaveLength(1);
    expect(callsTo('/quote')[0]?.headers['x-finnhub-token']).toBe(KEY);
  });

  it('names one symbol for BRK.B spellings', async () => {
    upstream().setRoutes([
      route('/quote', { symbol: 'BRK.B' }, recorded('quote_AAPL.json')),
    ]);
    for (const spelling of ['BRK.B', 'brk.b', 'BRK-B']) {
      const { status, body } = await api.json<QuoteJson>(
        `/api/quotes/${spelling}`,
      );
      expect(status, spelling).toBe(200);
      expect(body.symbol, spelling).toBe('BRK.B');
      expect(body.source, spelling).toBe('finnhub');
    }
    const sent = callsTo('/quote').map((call) => call.query.symbol);
    expect(sent).toEqual(['BRK.B', 'BRK.B', 'BRK.B']);
  });

  it('gives one body in any host zone', async () => {
    upstream().setRoutes([
      route('/quote', { symbol: 'KO' }, recorded('quote_AAPL.json')),
    ]);
    const original = process.env.TZ;
    const bodies: string[] = [];
    try {
      for (const zone of ['UTC', 'America/Los_Angeles']) {
        process.env.TZ = zone;
        const response = await api.request('/api/quotes/KO');
        bodies.push(await response.text());
      }
    } finally {
      if (original === undefined) delete process.env.TZ;
      else process.env.TZ = original;
    }
    expect(bodies[0]).toContain('"asOf":"2026-05-22T20:00:00.000Z"');
    expect(bodies[1]).toBe(bodies[0]);
  });

  it('serves the recorded profile', async () => {
    upstream().setRoutes([
      route(
        '/stock/profile2',
        { symbol: 'AAPL' },
        recorded('stock_profile2_AAPL.json'),
      ),
    ]);
    const { status, body } = await api.json('/api/stocks/AAPL/profile');
    expect(status).toBe(200);
    expect(body).toMatchObject({
      symbol: 'AAPL',
      name: 'Apple Inc',
      exchange: 'XNAS',
      industry: 'Technology',
      source: 'finnhub',
    });
  });

  it('reports an empty profile as not found', async () => {
    upstream().setRoutes([
      route(
        '/stock/profile2',
        {},
        {
          body: derivedFixture('finnhub/stock_profile2_empty.json'),
        },
      ),
    ]);
    const { status, body } = await api.json<ProblemJson>(
      '/api/stocks/ZZZZ/profile',
    );
    expect(status).toBe(404);
    expect(body.code).toBe('SYMBOL_NOT_FOUND');
    expect(callsTo('/stock/profile2')).toHaveLength(1);
  });

  it('searches US symbols', async () => {
    upstream().setRoutes([
      route('/search', { q: 'apple' }, recorded('search_q_apple.json')),
    ]);
    const { status, body } = await api.json<{
      results: { symbol: string; source: string }[];
    }>('/api/symbols?query=apple');
    const symbols = body.results.map((result) => result.symbol);
    expect(status).toBe(200);
    expect(symbols).toContain('AAPL');
    expect(symbols).not.toContain('2788.T');
    expect(body.results.every((result) => result.source === 'finnhub')).toBe(
      true,
    );
  });

  it('reports a quote of zeros as not found', async () => {
    upstream().setRoutes([
      route('/quote', {}, recorded('quote_ZZZNOTASYMBOL.json')),
    ]);
    const { status, body } = await api.json<ProblemJson>(
      '/api/quotes/ZZZNOTASYMBOL',
    );
    expect(status).toBe(404);
    expect(body.code).toBe('SYMBOL_NOT_FOUND');
    expect(callsTo('/quote')).toHaveLength(1);
  });

  it('lists finnhub without history', async () => {
    const { status, body } = await api.json<{
      providers: { id: string; capabilities: string[] }[];
      order: Record<string, string[]>;
    }>('/api/providers');
    const finnhub = body.providers.find(
      (provider) => provider.id === 'finnhub',
    );
    expect(status).toBe(200);
    expect(finnhub?.capabilities).toEqual([
      'quote',
      'profile',
      'search',
      'stream',
    ]);
    expect(body.order.quote).toEqual(['finnhub', 'simulated']);
    expect(body.order.history).not.toContain('finnhub');
  });

  it('leaves ^GSPC to simulated without a call', async () => {
    const { status, body } = await api.json<QuoteJson>('/api/quotes/%5EGSPC');
    expect(status).toBe(200);
    expect(body.source).toBe('simulated');
    expect(upstream().calls).toHaveLength(0);
  });

  it.each([
    ['MSFT', 'HTTP 500', { status: 500, body: 'Internal Server Error' }],
    [
      'NVDA',
      'a rejected key',
      recorded('transcribed/error_401_invalid_api_key.json', 401),
    ],
    [
      'AMZN',
      'the premium 403',
      recorded('error_403_stock_candle_AAPL_premium.json', 403),
    ],
    [
      'GOOGL',
      'a JSON 429',
      recorded('transcribed/error_429_api_limit_reached.json', 429),
    ],
    [
      'META',
      'a plain-text 429',
      {
        status: 429,
        headers: { 'content-type': 'text/plain' },
        body: derivedFixture('finnhub/error_429_api_limit_reached.txt'),
      },
    ],
    [
      'TSLA',
      'an HTML page',
      {
        headers: { 'content-type': 'text/html' },
        body: derivedFixture('finnhub/html_error_page.html'),
      },
    ],
    [
      'JPM',
      'a slow response',
      { ...recorded('quote_AAPL.json'), delayMs: 5000 },
    ],
  ] satisfies [string, string, FakeResponse][])(
    'fails %s over on %s',
    async (symbol, _cause, response) => {
      upstream().setRoutes([route('/quote', {}, response)]);
      const { status, body } = await api.json<QuoteJson>(
        `/api/quotes/${symbol}`,
      );
      expect(status).toBe(200);
      expect(body.source).toBe('simulated');
      expect(callsTo('/quote').map((call) => call.query.symbol)).toEqual([
        symbol,
      ]);
    },
  );
});

describeWithTestData('Finnhub key in logs', () => {
  let api: TestApp;
  const written: string[] = [];
  const record = (chunk: unknown) => {
    written.push(String(chunk));
    return true;
  };

  beforeAll(async () => {
    vi.spyOn(process.stdout, 'write').mockImplementation(record);
    vi.spyOn(process.stderr, 'write').mockImplementation(record);
    api = await startTestApp({
      now: NOW,
      env: finnhubEnv({ LOG_LEVEL: 'debug', QUOTE_PROVIDERS: 'finnhub' }),
    });
    // The testing module keeps only errors; a console logger prints every line.
    Logger.overrideLogger(new ConsoleLogger());
  });

  afterAll(async () => {
    await api.close();
    Logger.overrideLogger(new ConsoleLogger({ logLevels: ['fatal', 'error'] }));
    vi.restoreAllMocks();
  });

  it('keeps it out of problems and logs', async () => {
    upstream().setRoutes([
      route(
        '/quote',
        {},
        {
          status: 401,
          body: JSON.stringify({ error: `Invalid API key ${KEY}.` }),
        },
      ),
    ]);
    const { status, body } = await api.json<ProblemJson>('/api/quotes/AAPL');
    const providers = await api.request('/api/providers');
    const output = [
      ...written,
      JSON.stringify(body),
      await providers.text(),
    ].join('\n');
    expect(status).toBe(503);
    expect(body.code).toBe('UPSTREAM_UNAUTHORIZED');
    expect(written.join('\n')).toContain('finnhub quote AAPL');
    expect(output).not.toContain(KEY);
  });
});
