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

const KEY = 'av-e2e-key-5b7d93';
/** Monday 2023-11-13, 10:00 in New York, after the recorded IBM days. */
const NOW = Date.parse('2023-11-13T15:00:00Z');

interface QuoteBody {
  symbol: string;
  price: number;
  source: string;
}
interface HistoryBody {
  symbol: string;
  source: string;
  adjustment: string;
  timeZone: string;
  bars: { date?: string; close: number; complete: boolean }[];
}
interface ProfileBody {
  symbol: string;
  name: string | null;
  exchange: string | null;
  source: string;
}
interface SearchBody {
  results: { symbol: string; source: string }[];
}
interface ProblemBody {
  status: number;
  code: string;
  detail: string;
  attempts?: { source: string; code: string; detail: string }[];
}

const upstream = useFakeUpstream();

/** Settings that point Alpha Vantage at the fake, with no quota in the way. */
function alphaVantageEnv(lists: Record<string, string>) {
  return {
    ...NO_CACHE,
    ALPHA_VANTAGE_KEY: KEY,
    ALPHA_VANTAGE_BASE_URL: upstream().baseUrl,
    ALPHA_VANTAGE_QUOTA_PER_SECOND: '0',
    ALPHA_VANTAGE_QUOTA_PER_DAY: '0',
    UPSTREAM_RETRIES: '0',
    ...lists,
  };
}

const recorded = (file: string): FakeResponse => ({
  body: fixture(`alphavantage/${file}`),
});

/** Serves `response` to every call to `/query` whose `function` is `name`. */
function serve(name: string, response: FakeResponse) {
  upstream().setRoutes([route('/query', { function: name }, response)]);
}

const callsOf = (name: string) =>
  upstream().calls.filter((call) => call.query.function === name);

/** Output the app writes while a spec captures it. */
const logLines: string[] = [];

function recordLog(chunk: unknown): boolean {
  logLines.push(String(chunk));

  return true;
}

describeWithTestData('Alpha Vantage behind the REST API', () => {
  let api: TestApp;

  beforeAll(async () => {
    api = await startTestApp({
      now: NOW,
      env: alphaVantageEnv({
        QUOTE_PROVIDERS: 'alpha_vantage',
        HISTORY_PROVIDERS: 'alpha_vantage',
        PROFILE_PROVIDERS: 'alpha_vantage',
        SEARCH_PROVIDERS: 'alpha_vantage',
      }),
    });
  });

  afterAll(async () => {
    await api.close();
  });

  it('serves a quote', async () => {
    serve('GLOBAL_QUOTE', recorded('global_quote_MSFT.json'));
    const { status, body } = await api.json<QuoteBody>('/api/quotes/MSFT');
    expect(status).toBe(200);
    expect(body.source).toBe('alpha_vantage');
    expect(body.price).toBe(112.13);
    expect(callsOf('GLOBAL_QUOTE')[0]?.query).toMatchObject({
      symbol: 'MSFT',
      apikey: KEY,
    });
  });

  it('serves daily history', async () => {
    serve('TIME_SERIES_DAILY', recorded('time_series_daily_IBM_compact.json'));
    const { status, body } = await api.json<HistoryBody>(
      '/api/stocks/IBM/history?interval=1d&from=2023-11-01&to=2023-11-10',
    );
    expect(status).toBe(200);
    expect(body.source).toBe('alpha_vantage');
    expect(body.adjustment).toBe('raw');
    expect(body.timeZone).toBe('America/New_York');
    expect(body.bars.map((bar) => bar.date)).toEqual([
      '2023-11-01',
      '2023-11-02',
      '2023-11-03',
      '2023-11-06',
      '2023-11-07',
      '2023-11-08',
      '2023-11-09',
      '2023-11-10',
    ]);
    expect(body.bars.at(-1)?.close).toBe(149.02);
    expect(callsOf('TIME_SERIES_DAILY')[0]?.query.outputsize).toBe('compact');
  });

  it('serves weekly history by Monday', async () => {
    serve(
      'TIME_SERIES_WEEKLY',
      recorded('time_series_weekly_IBM.trimmed-excerpt.json'),
    );
    const { status, body } = await api.json<HistoryBody>(
      '/api/stocks/IBM/history?interval=1wk&from=2020-04-27&to=2020-05-08',
    );
    expect(status).toBe(200);
    expect(body.bars.map((bar) => bar.date)).toEqual([
      '2020-04-27',
      '2020-05-04',
    ]);
  });

  it('serves a profile', async () => {
    serve('OVERVIEW', recorded('overview_IBM.json'));
    const { status, body } = await api.json<ProfileBody>(
      '/api/stocks/IBM/profile',
    );
    expect(status).toBe(200);
    expect(body.source).toBe('alpha_vantage');
    expect(body.name).toBe('International Business Machines Corporation');
    expect(body.exchange).toBe('XNYS');
  });

  it('serves symbol search', async () => {
    serve('SYMBOL_SEARCH', recorded('symbol_search_BA.json'));
    const { status, body } = await api.json<SearchBody>(
      '/api/symbols?query=BA',
    );
    expect(status).toBe(200);
    expect(body.results[0]).toMatchObject({
      symbol: 'BA',
      source: 'alpha_vantage',
    });
    expect(body.results.map((match) => match.symbol)).toContain('6190.HK');
    expect(callsOf('SYMBOL_SEARCH')[0]?.query.keywords).toBe('BA');
  });

  it('rejects an index without calling', async () => {
    const { status, body } = await api.json<ProblemBody>(
      '/api/stocks/%5EGSPC/history?interval=1d',
    );
    expect(status).toBe(404);
    expect(body.code).toBe('SYMBOL_NOT_FOUND');
    expect(upstream().calls).toHaveLength(0);
  });

  it('answers an empty quote with 404', async () => {
    serve('GLOBAL_QUOTE', {
      body: derivedFixture('alpha-vantage/global_quote_empty.json'),
    });
    const { status, body } = await api.json<ProblemBody>('/api/quotes/ZZZZ');
    expect(status).toBe(404);
    expect(body.code).toBe('SYMBOL_NOT_FOUND');
  });
});

describeWithTestData('Alpha Vantage failing over to simulated', () => {
  let api: TestApp;

  beforeAll(async () => {
    api = await startTestApp({
      now: NOW,
      env: alphaVantageEnv({
        QUOTE_PROVIDERS: 'alpha_vantage,simulated',
        HISTORY_PROVIDERS: 'alpha_vantage,simulated',
      }),
    });
  });

  afterAll(async () => {
    await api.close();
  });

  const history =
    '/api/stocks/AAPL/history?interval=1d&from=2023-11-01&to=2023-11-10';

  it('fails over on a Note rate limit', async () => {
    serve(
      'TIME_SERIES_DAILY',
      recorded('transcribed/note_rate_limit_5_per_minute_500_per_day.json'),
    );
    const { status, body } = await api.json<HistoryBody>(history);
    expect(status).toBe(200);
    expect(body.source).toBe('simulated');
    expect(body.bars.length).toBeGreaterThan(0);
    expect(callsOf('TIME_SERIES_DAILY')).toHaveLength(1);
    expect(callsOf('TIME_SERIES_DAILY')[0]?.query.symbol).toBe('AAPL');
  });

  it('fails over on an Information rate limit', async () => {
    serve(
      'TIME_SERIES_DAILY',
      recorded('transcribed/information_legacy_call_volume.json'),
    );
    const { status, body } = await api.json<HistoryBody>(history);
    expect(status).toBe(200);
    expect(body.source).toBe('simulated');
    expect(body.bars.length).toBeGreaterThan(0);
    expect(callsOf('TIME_SERIES_DAILY')).toHaveLength(1);
  });

  it('fails over on a daily limit', async () => {
    const text = derivedFixture('alpha-vantage/information_daily_limit.json');
    serve('TIME_SERIES_DAILY', { body: text.replace('{apikey}', KEY) });
    const { status, body } = await api.json<HistoryBody>(history);
    expect(status).toBe(200);
    expect(body.source).toBe('simulated');
  });

  it('fails over when quotes fail', async () => {
    serve('GLOBAL_QUOTE', { status: 503, body: 'Service Unavailable' });
    const { status, body } = await api.json<QuoteBody>('/api/quotes/AAPL');
    expect(status).toBe(200);
    expect(body.source).toBe('simulated');
    expect(callsOf('GLOBAL_QUOTE')).toHaveLength(1);
    expect(callsOf('GLOBAL_QUOTE')[0]?.query.symbol).toBe('AAPL');
  });

  it('keeps Alpha Vantage first when it answers', async () => {
    serve('GLOBAL_QUOTE', recorded('global_quote_MSFT.json'));
    const { status, body } = await api.json<QuoteBody>('/api/quotes/MSFT');
    expect(status).toBe(200);
    expect(body.source).toBe('alpha_vantage');
  });
});

describeWithTestData('Alpha Vantage key in logs and problems', () => {
  let api: TestApp;

  beforeAll(async () => {
    vi.spyOn(process.stdout, 'write').mockImplementation(recordLog);
    vi.spyOn(process.stderr, 'write').mockImplementation(recordLog);
    api = await startTestApp({
      now: NOW,
      env: alphaVantageEnv({
        LOG_LEVEL: 'debug',
        QUOTE_PROVIDERS: 'alpha_vantage',
        HISTORY_PROVIDERS: 'alpha_vantage',
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
    const text = derivedFixture('alpha-vantage/information_daily_limit.json');
    serve('GLOBAL_QUOTE', { body: text.replace('{apikey}', KEY) });
    const { status, body, response } =
      await api.json<ProblemBody>('/api/quotes/MSFT');
    expect(status).toBe(503);
    expect(body.code).toBe('QUOTA_EXHAUSTED');
    expect(body.detail).toContain('detected your API key as ***');
    expect(JSON.stringify(body)).not.toContain(KEY);
    expect(response.headers.get('content-type')).toContain(
      'application/problem+json',
    );
  });

  it('scrubs a key echoed by a 401', async () => {
    serve('TIME_SERIES_DAILY', {
      status: 401,
      body: `invalid apikey ${KEY}`,
    });
    const { status, body } = await api.json<ProblemBody>(
      '/api/stocks/IBM/history?interval=1d&from=2023-11-01&to=2023-11-10',
    );
    expect(status).toBe(503);
    expect(body.code).toBe('UPSTREAM_UNAUTHORIZED');
    expect(JSON.stringify(body)).not.toContain(KEY);
  });

  it('keeps the key out of log lines', () => {
    const logged = logLines.join('');
    expect(logged).toContain('alpha_vantage');
    expect(logged).toContain('detected your API key as ***');
    expect(logged).not.toContain(KEY);
  });
});
