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

const KEY = 'ndl-e2e-key-41c8a2';
/** Wednesday 2024-05-01, long after the WIKI table stopped. */
const NOW = Date.parse('2024-05-01T15:00:00Z');
const PRICES = '/datatables/WIKI/PRICES.json';
const COVERAGE = { from: '1962-01-02', to: '2018-03-27' };

interface HistoryBody {
  symbol: string;
  source: string;
  adjustment: string;
  timeZone: string;
  coverage?: { from: string; to: string };
  bars: { date?: string; close: number; complete: boolean }[];
  events: { date: string; type: string; amount?: number }[];
}

interface ProblemBody {
  status: number;
  code: string;
  detail: string;
  attempts?: { source: string; code: string; detail: string }[];
}

const upstream = useFakeUpstream();

/** Settings that point Nasdaq Data Link at the fake, with no quota in the way. */
function nasdaqEnv(extra: Record<string, string>) {
  return {
    ...NO_CACHE,
    QUANDL_KEY: KEY,
    NASDAQ_DATA_LINK_BASE_URL: upstream().baseUrl,
    NASDAQ_DATA_LINK_QUOTA_PER_SECOND: '0',
    NASDAQ_DATA_LINK_QUOTA_PER_DAY: '0',
    UPSTREAM_RETRIES: '0',
    // Failures in one test must not open the circuit for the next.
    CIRCUIT_BREAKER_FAILURES: '1000',
    ...extra,
  };
}

const recorded = (file: string, status = 200): FakeResponse => ({
  status,
  body: fixture(`nasdaq-data-link/${file}`),
});

const NOVEMBER_RANGE =
  'datatables_WIKI_PRICES_ticker_AAPL_date.gt_2017-11-23_date.lt_2017-11-30.json';
const NO_DATA =
  'datatables_WIKI_PRICES_ticker_invalid_stock_symbol_no_data.json';
const NOVEMBER =
  '/api/stocks/AAPL/history?interval=1d&from=2017-11-24&to=2017-11-29';

/** Serves `response` to every call to the WIKI prices table. */
function serve(response: FakeResponse) {
  upstream().setRoutes([route(PRICES, {}, response)]);
}

const pricesCalls = () =>
  upstream().calls.filter((call) => call.path === PRICES);

describeWithTestData('Nasdaq Data Link history over REST', () => {
  let api: TestApp;

  beforeAll(async () => {
    api = await startTestApp({
      now: NOW,
      env: nasdaqEnv({ HISTORY_PROVIDERS: 'nasdaq_data_link' }),
    });
  });

  afterAll(async () => {
    await api.close();
  });

  it('serves the recorded dates', async () => {
    serve(recorded(NOVEMBER_RANGE));
    const { status, body } = await api.json<HistoryBody>(NOVEMBER);
    expect(status).toBe(200);
    expect(body.source).toBe('nasdaq_data_link');
    expect(body.adjustment).toBe('split+dividend');
    expect(body.timeZone).toBe('America/New_York');
    expect(body.bars.map((bar) => bar.date)).toEqual([
      '2017-11-24',
      '2017-11-27',
      '2017-11-28',
      '2017-11-29',
    ]);
    expect(body.bars.at(-1)?.close).toBe(169.48);
  });

  it('states the coverage', async () => {
    serve(recorded(NOVEMBER_RANGE));
    const { body } = await api.json<HistoryBody>(NOVEMBER);
    expect(body.coverage).toEqual(COVERAGE);
  });

  it('sends the key as api_key', async () => {
    serve(recorded(NOVEMBER_RANGE));
    await api.json<HistoryBody>(NOVEMBER);
    expect(pricesCalls()).toHaveLength(1);
    expect(pricesCalls()[0]?.query).toMatchObject({
      ticker: 'AAPL',
      'date.gte': '2017-11-24',
      'date.lte': '2017-11-29',
      api_key: KEY,
    });
  });

  it('gives one body in every zone', async () => {
    serve(recorded(NOVEMBER_RANGE));
    const original = process.env.TZ;
    const bodies: string[] = [];
    try {
      for (const zone of ['UTC', 'America/Los_Angeles']) {
        process.env.TZ = zone;
        const response = await api.request(NOVEMBER);
        bodies.push(await response.text());
      }
    } finally {
      if (original === undefined) delete process.env.TZ;
      else process.env.TZ = original;
    }
    expect(bodies[1]).toBe(bodies[0]);
    expect(pricesCalls()).toHaveLength(2);
  });

  it('cuts a range at the end', async () => {
    serve(recorded(NOVEMBER_RANGE));
    const { status, body } = await api.json<HistoryBody>(
      '/api/stocks/AAPL/history?interval=1d&from=2017-11-24&to=2019-06-28',
    );
    expect(status).toBe(200);
    expect(body.bars).toHaveLength(4);
    expect(body.coverage).toEqual(COVERAGE);
    expect(pricesCalls()[0]?.query['date.lte']).toBe('2018-03-27');
  });

  it('rejects dates after the end', async () => {
    const { status, body } = await api.json<ProblemBody>(
      '/api/stocks/AAPL/history?interval=1d&from=2018-03-28&to=2019-06-28',
    );
    expect(status).toBe(404);
    expect(body.code).toBe('DATA_NOT_AVAILABLE');
    expect(body.detail).toContain('ends on 2018-03-27');
    expect(upstream().calls).toHaveLength(0);
  });

  it('serves raw prices', async () => {
    serve(recorded(NOVEMBER_RANGE));
    const { status, body } = await api.json<HistoryBody>(
      `${NOVEMBER}&adjusted=false`,
    );
    expect(status).toBe(200);
    expect(body.adjustment).toBe('raw');
  });

  it('reports the dividend', async () => {
    serve({
      body: derivedFixture(
        'nasdaq-data-link/datatables_WIKI_PRICES_AAPL_2017-05-09_to_2017-05-15.json',
      ),
    });
    const { status, body } = await api.json<HistoryBody>(
      '/api/stocks/AAPL/history?interval=1d&from=2017-05-09&to=2017-05-15',
    );
    expect(status).toBe(200);
    expect(body.events).toEqual([
      { date: '2017-05-11', type: 'dividend', amount: 0.63 },
    ]);
  });

  it('answers an unknown ticker with 404', async () => {
    serve(recorded(NO_DATA));
    const { status, body } = await api.json<ProblemBody>(
      '/api/stocks/ZZZZ/history?interval=1d&from=2017-11-24&to=2017-11-29',
    );
    expect(status).toBe(404);
    expect(body.code).toBe('SYMBOL_NOT_FOUND');
    expect(pricesCalls()).toHaveLength(2);
  });

  it('answers 410 with 404', async () => {
    serve({
      status: 410,
      body: derivedFixture('nasdaq-data-link/error_410_dataset_gone.json'),
    });
    const { status, body } = await api.json<ProblemBody>(NOVEMBER);
    expect(status).toBe(404);
    expect(body.code).toBe('DATA_NOT_AVAILABLE');
  });

  it('rejects crypto without calling', async () => {
    const { status, body } = await api.json<ProblemBody>(
      '/api/crypto/BTC-USD/history?interval=1d&from=2017-11-24&to=2017-11-29',
    );
    expect(status).toBe(404);
    expect(body.code).toBe('SYMBOL_NOT_FOUND');
    expect(upstream().calls).toHaveLength(0);
  });
});

describeWithTestData('Nasdaq Data Link failing over', () => {
  let api: TestApp;

  beforeAll(async () => {
    api = await startTestApp({
      now: NOW,
      env: nasdaqEnv({ HISTORY_PROVIDERS: 'nasdaq_data_link,simulated' }),
    });
  });

  afterAll(async () => {
    await api.close();
  });

  it('keeps Nasdaq Data Link first', async () => {
    serve(recorded(NOVEMBER_RANGE));
    const { status, body } = await api.json<HistoryBody>(NOVEMBER);
    expect(status).toBe(200);
    expect(body.source).toBe('nasdaq_data_link');
  });

  it('fails over on 5xx', async () => {
    serve({ status: 503, body: 'Service Unavailable' });
    const { status, body } = await api.json<HistoryBody>(NOVEMBER);
    expect(status).toBe(200);
    expect(body.source).toBe('simulated');
    expect(body.bars.length).toBeGreaterThan(0);
    expect(upstream().calls.map((call) => call.path)).toEqual([PRICES]);
    expect(upstream().calls[0]?.query.ticker).toBe('AAPL');
  });

  it('fails over on a rejected key', async () => {
    serve(recorded('error_400_QEAx01_invalid_api_key.json', 400));
    const { status, body } = await api.json<HistoryBody>(NOVEMBER);
    expect(status).toBe(200);
    expect(body.source).toBe('simulated');
    expect(pricesCalls()).toHaveLength(1);
  });

  it('fails over after the end without calling', async () => {
    const { status, body } = await api.json<HistoryBody>(
      '/api/stocks/AAPL/history?interval=1d&from=2019-01-02&to=2019-01-31',
    );
    expect(status).toBe(200);
    expect(body.source).toBe('simulated');
    expect(upstream().calls).toHaveLength(0);
  });
});

/** Output the app writes while a spec captures it. */
const logLines: string[] = [];

function recordLog(chunk: unknown): boolean {
  logLines.push(String(chunk));

  return true;
}

describeWithTestData('Nasdaq Data Link key in logs and problems', () => {
  let api: TestApp;

  beforeAll(async () => {
    vi.spyOn(process.stdout, 'write').mockImplementation(recordLog);
    vi.spyOn(process.stderr, 'write').mockImplementation(recordLog);
    api = await startTestApp({
      now: NOW,
      env: nasdaqEnv({
        LOG_LEVEL: 'debug',
        HISTORY_PROVIDERS: 'nasdaq_data_link',
      }),
    });
    // The testing module installs a logger that drops everything below
    // errors; a console logger prints every line, as in production.
    Logger.overrideLogger(new ConsoleLogger());
  });

  afterAll(async () => {
    await api.close();
    Logger.overrideLogger(new ConsoleLogger({ logLevels: ['fatal', 'error'] }));
    vi.restoreAllMocks();
  });

  it('scrubs an echoed key from problems', async () => {
    serve({
      status: 422,
      body: JSON.stringify({
        quandl_error: {
          code: 'QESx01',
          message: `Unknown parameter api_key=${KEY}`,
        },
      }),
    });
    const { status, body, response } = await api.json<ProblemBody>(NOVEMBER);
    expect(status).toBe(503);
    expect(body.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(body.detail).toContain('api_key=***');
    expect(JSON.stringify(body)).not.toContain(KEY);
    expect(response.headers.get('content-type')).toContain(
      'application/problem+json',
    );
  });

  it('scrubs the key of a rejected key', async () => {
    serve(recorded('error_400_QEAx01_invalid_api_key.json', 400));
    const { status, body } = await api.json<ProblemBody>(NOVEMBER);
    expect(status).toBe(503);
    expect(body.code).toBe('UPSTREAM_UNAUTHORIZED');
    expect(JSON.stringify(body)).not.toContain(KEY);
  });

  it('keeps the key out of log lines', () => {
    const logged = logLines.join('');
    expect(logged).toContain('nasdaq_data_link');
    expect(logged).toContain('UPSTREAM_UNAUTHORIZED');
    expect(logged).toContain('api_key=***');
    expect(logged).not.toContain(KEY);
  });
});
