import { ConsoleLogger, Logger } from '@nestjs/common';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { NO_CACHE, startTestApp, type TestApp } from './support/app.js';
import {
  type FakeRoute,
  route,
  useFakeUpstream,
} from './support/fake-upstream.js';
import { describeWithTestData } from './support/test-data.js';
import {
  yahooDerived,
  yahooHandshakeRoutes,
  yahooRecording,
  YAHOO_COOKIE_PATH,
  YAHOO_COOKIE_VALUES,
  YAHOO_CRUMB,
} from './support/yahoo-upstream.js';

/** A Thursday in February 2025, after every recorded bar. */
const NOW = Date.parse('2025-02-20T17:00:00Z');
const QUOTE_PATH = '/v7/finance/quote';

interface QuoteJson {
  symbol: string;
  price: number;
  source: string;
}

interface HistoryJson {
  symbol: string;
  timeZone: string;
  adjustment: string;
  source: string;
  bars: { date: string; open: number; close: number; volume: number }[];
  events: { date: string; type: string }[];
}

interface ProblemJson {
  status: number;
  code: string;
  detail: string;
}

const upstream = useFakeUpstream();

/** Settings that enable Yahoo against the fake, with simulated as fallback. */
function yahooEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...NO_CACHE,
    YAHOO_ENABLED: 'true',
    YAHOO_BASE_URL: upstream().baseUrl,
    YAHOO_COOKIE_URL: upstream().baseUrl + YAHOO_COOKIE_PATH,
    YAHOO_QUOTA_PER_SECOND: '0',
    QUOTE_PROVIDERS: 'yahoo,simulated',
    HISTORY_PROVIDERS: 'yahoo,simulated',
    PROFILE_PROVIDERS: 'yahoo',
    SEARCH_PROVIDERS: 'yahoo',
    UPSTREAM_RETRIES: '0',
    UPSTREAM_TIMEOUT: '1',
    // Failures in one test must not open the circuit for the next.
    CIRCUIT_BREAKER_FAILURES: '1000',
    ...extra,
  };
}

function serve(...routes: FakeRoute[]): void {
  upstream().setRoutes([...yahooHandshakeRoutes(), ...routes]);
}

function callsTo(path: string) {
  return upstream().calls.filter((call) => call.path === path);
}

describeWithTestData('Yahoo over REST', () => {
  let api: TestApp;

  beforeAll(async () => {
    api = await startTestApp({ now: NOW, env: yahooEnv() });
  });

  afterAll(async () => {
    await api.close();
  });

  it('names one symbol for BRK.B spellings', async () => {
    serve(
      route(QUOTE_PATH, { symbols: 'BRK-B' }, yahooDerived('quote-BRK-B.json')),
    );
    for (const spelling of ['BRK.B', 'brk.b', 'BRK-B']) {
      const { status, body } = await api.json<QuoteJson>(
        `/api/quotes/${spelling}`,
      );
      expect(status, spelling).toBe(200);
      expect(body.symbol, spelling).toBe('BRK.B');
      expect(body.source, spelling).toBe('yahoo');
    }
    const sent = callsTo(QUOTE_PATH).map((call) => call.query.symbols);
    expect(sent).toEqual(['BRK-B', 'BRK-B', 'BRK-B']);
  });

  it('sends the crumb with quotes', async () => {
    serve(
      route(QUOTE_PATH, { symbols: 'AAPL' }, yahooRecording('quote-AAPL.json')),
    );
    const { body } = await api.json<QuoteJson>('/api/quotes/AAPL');
    expect(body.price).toBe(244.6);
    expect(callsTo(QUOTE_PATH)[0]?.query.crumb).toBe(YAHOO_CRUMB);
  });

  it('serves adjusted daily history', async () => {
    serve(
      route(
        '/v8/finance/chart/AAPL',
        {},
        yahooRecording('chart-AAPL-2020-08-31-to-2020-11-07.json'),
      ),
    );
    const { status, body } = await api.json<HistoryJson>(
      '/api/stocks/AAPL/history?interval=1d&from=2020-08-31&to=2020-11-06',
    );
    expect(status).toBe(200);
    expect(body.source).toBe('yahoo');
    expect(body.timeZone).toBe('America/New_York');
    expect(body.adjustment).toBe('split+dividend');
    expect(body.bars).toHaveLength(49);
    expect(body.events.map((event) => event.type)).toEqual([
      'split',
      'dividend',
    ]);
  });

  it('gives one body in any host zone', async () => {
    serve(
      route(
        '/v8/finance/chart/BTC-USD',
        {},
        yahooRecording('chart-BTC-USD-2020-01-01-to-2020-01-03.json'),
      ),
    );
    const original = process.env.TZ;
    const bodies: string[] = [];
    try {
      for (const zone of ['UTC', 'America/Los_Angeles']) {
        process.env.TZ = zone;
        const response = await api.request(
          '/api/crypto/BTC-USD/history?from=2020-01-01&to=2020-01-03',
        );
        bodies.push(await response.text());
      }
    } finally {
      // Assigning undefined would set TZ to the string "undefined".
      if (original === undefined) delete process.env.TZ;
      else process.env.TZ = original;
    }
    expect(bodies[0]).toContain('"date":"2020-01-01"');
    expect(bodies[1]).toBe(bodies[0]);
  });

  it('labels unapplied split prices raw', async () => {
    serve(
      route(
        '/v8/finance/chart/AAPL',
        {},
        yahooDerived(
          'chart-AAPL-2020-08-28-to-2020-11-07.unreported-split.json',
        ),
      ),
    );
    const { status, body } = await api.json<HistoryJson>(
      '/api/stocks/AAPL/history?from=2020-08-28&to=2020-11-06&adjusted=true',
    );
    expect(status).toBe(200);
    expect(body.adjustment).toBe('raw');
    expect(body.bars[0]).toMatchObject({ date: '2020-08-28', close: 499.23 });
    expect(body.bars[1]).toMatchObject({ date: '2020-08-31', close: 129.04 });
  });

  it('drops a day of nulls', async () => {
    serve(
      route(
        '/v8/finance/chart/WSU.DE',
        {},
        yahooDerived('chart-WSU.DE-2023-08-04-to-2023-08-09.null-day.json'),
      ),
    );
    const response = await api.request(
      '/api/stocks/WSU.DE/history?from=2023-08-04&to=2023-08-08',
    );
    const text = await response.text();
    const body = JSON.parse(text) as HistoryJson;
    expect(response.status).toBe(200);
    expect(body.bars.map((bar) => bar.date)).toEqual([
      '2023-08-04',
      '2023-08-08',
    ]);
    expect(text).not.toContain('"null"');
    for (const bar of body.bars) {
      expect(typeof bar.close, bar.date).toBe('number');
      expect(typeof bar.volume, bar.date).toBe('number');
    }
  });

  it('serves the profile', async () => {
    serve(
      route(
        '/v10/finance/quoteSummary/AAPL',
        {},
        yahooDerived('quoteSummary-assetProfile-price-AAPL.json'),
      ),
    );
    const { status, body } = await api.json('/api/stocks/AAPL/profile');
    expect(status).toBe(200);
    expect(body).toMatchObject({
      symbol: 'AAPL',
      name: 'Apple Inc.',
      sector: 'Technology',
      source: 'yahoo',
    });
  });

  it('searches symbols', async () => {
    serve(
      route(
        '/v1/finance/search',
        { q: 'AAPL' },
        yahooRecording('search-AAPL.json'),
      ),
    );
    const { status, body } = await api.json<{
      results: { symbol: string; source: string }[];
    }>('/api/symbols?query=AAPL');
    expect(status).toBe(200);
    expect(body.results[0]).toMatchObject({ symbol: 'AAPL', source: 'yahoo' });
  });

  it('fails quotes over to simulated', async () => {
    serve(
      route(QUOTE_PATH, {}, { status: 500, body: 'Internal Server Error' }),
    );
    const { status, body } = await api.json<QuoteJson>('/api/quotes/MSFT');
    expect(status).toBe(200);
    expect(body.source).toBe('simulated');
    expect(callsTo(QUOTE_PATH)).toHaveLength(1);
    expect(callsTo(QUOTE_PATH)[0]?.query.symbols).toBe('MSFT');
  });

  it('fails history over to simulated', async () => {
    serve(
      route('/v8/finance/chart/MSFT', {}, yahooDerived('error-page.html.json')),
    );
    const { status, body } = await api.json<HistoryJson>(
      '/api/stocks/MSFT/history?interval=1d&from=2024-01-02&to=2024-01-05',
    );
    expect(status).toBe(200);
    expect(body.source).toBe('simulated');
    expect(callsTo('/v8/finance/chart/MSFT')).toHaveLength(1);
  });
});

describeWithTestData('Yahoo cookie and crumb in logs', () => {
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
      env: yahooEnv({ LOG_LEVEL: 'debug', QUOTE_PROVIDERS: 'yahoo' }),
    });
    // The testing module keeps only errors; a console logger prints every line.
    Logger.overrideLogger(new ConsoleLogger());
  });

  afterAll(async () => {
    await api.close();
    Logger.overrideLogger(new ConsoleLogger({ logLevels: ['fatal', 'error'] }));
    vi.restoreAllMocks();
  });

  it('keeps them out of problems and logs', async () => {
    serve(
      route(QUOTE_PATH, {}, yahooDerived('quote-AAPL.invalid-crumb.401.json')),
    );
    const { status, body } = await api.json<ProblemJson>('/api/quotes/AAPL');
    const output = [...written, JSON.stringify(body)].join('\n');
    expect(status).toBe(503);
    expect(body.code).toBe('UPSTREAM_UNAUTHORIZED');
    expect(callsTo(QUOTE_PATH)).toHaveLength(2);
    expect(written.join('\n')).toContain('fetching a new cookie and crumb');
    for (const secret of [YAHOO_CRUMB, ...YAHOO_COOKIE_VALUES]) {
      expect(output).not.toContain(secret);
    }
  });
});
