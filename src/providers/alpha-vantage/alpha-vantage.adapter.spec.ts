import type { Logger } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { fakeLogger } from '../../../test/support/fake-logger.js';
import {
  type FakeResponse,
  derivedFixture,
  fixture,
  route,
  useFakeUpstream,
} from '../../../test/support/fake-upstream.js';
import { describeWithTestData } from '../../../test/support/test-data.js';
import { testUpstreamContext } from '../../../test/support/upstream-context.js';
import { withDeadline } from '../../common/request-deadline.js';
import type { Interval } from '../../market/interval.js';
import { parseSymbol } from '../../market/symbol.js';
import type { HistoryQuery } from '../market-data-source.js';
import { UpstreamError } from '../upstream/upstream.errors.js';
import { AlphaVantageSource } from './alpha-vantage.adapter.js';

const KEY = 'av-test-key-8c2f41';
const day = (date: string) => Date.parse(`${date}T00:00:00Z`);

const upstream = useFakeUpstream();

function alphaVantage(now: number, options: { timeoutMs?: number } = {}) {
  const logger = fakeLogger();
  const context = testUpstreamContext({
    id: 'alpha_vantage',
    baseUrl: upstream().baseUrl,
    key: KEY,
    now,
    ...options,
  });
  context.logger = logger as unknown as Logger;

  return { source: new AlphaVantageSource(context), logger };
}

/** Serves `response` to every call to `/query` whose `function` is `name`. */
function serve(name: string, response: FakeResponse | (() => FakeResponse)) {
  upstream().setRoutes([route('/query', { function: name }, response)]);
}

const recorded = (file: string): FakeResponse => ({
  body: fixture(`alphavantage/${file}`),
});
const derived = (file: string): FakeResponse => ({
  body: derivedFixture(`alpha-vantage/${file}`),
});

function historyQuery(
  symbol: string,
  interval: Interval,
  range: Partial<HistoryQuery> = {},
): HistoryQuery {
  return {
    instrument: parseSymbol(symbol),
    interval,
    start: null,
    end: Date.now(),
    limit: 1000,
    adjusted: true,
    ...range,
  };
}

async function failure(promise: Promise<unknown>): Promise<UpstreamError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(UpstreamError);

  return error as UpstreamError;
}

/** Rows of a recorded series in ascending order, read independently of the adapter. */
function recordedRows(file: string, seriesKey: string) {
  const body = JSON.parse(fixture(`alphavantage/${file}`)) as Record<
    string,
    Record<string, Record<string, string>>
  >;
  const rows = Object.entries(body[seriesKey] ?? {});
  rows.sort(([a], [b]) => (a < b ? -1 : 1));

  return rows.map(([key, row]) => ({
    key,
    open: Number(row['1. open']),
    high: Number(row['2. high']),
    low: Number(row['3. low']),
    close: Number(row['4. close']),
    volume: Number(row['5. volume']),
  }));
}

async function underZone<T>(zone: string, work: () => Promise<T>): Promise<T> {
  const previous = process.env.TZ;
  process.env.TZ = zone;
  try {
    return await work();
  } finally {
    if (previous === undefined) delete process.env.TZ;
    else process.env.TZ = previous;
  }
}

/** Monday 2018-10-08, 10:00 in New York, after the recorded MSFT quote's day. */
const QUOTE_NOW = Date.parse('2018-10-08T14:00:00Z');

describeWithTestData('AlphaVantageSource quotes', () => {
  it('reads a recorded global quote', async () => {
    serve('GLOBAL_QUOTE', recorded('global_quote_MSFT.json'));
    const quote = await alphaVantage(QUOTE_NOW).source.getQuote(
      parseSymbol('MSFT'),
    );
    expect(quote).toEqual({
      symbol: 'MSFT',
      assetClass: 'equity',
      currency: 'USD',
      exchange: null,
      price: 112.13,
      change: -0.66,
      changePercent: -0.5852,
      previousClose: 112.79,
      open: 112.63,
      high: 113.17,
      low: 110.64,
      volume: 29_062_853,
      bid: null,
      ask: null,
      session: 'closed',
      asOf: Date.parse('2018-10-05T20:00:00Z'),
      source: 'alpha_vantage',
      stale: false,
      delayed: 0,
    });
  });

  it('sends the key as a query parameter', async () => {
    serve('GLOBAL_QUOTE', recorded('global_quote_MSFT.json'));
    await alphaVantage(QUOTE_NOW).source.getQuote(parseSymbol('MSFT'));
    expect(upstream().calls[0]?.path).toBe('/query');
    expect(upstream().calls[0]?.query).toEqual({
      function: 'GLOBAL_QUOTE',
      symbol: 'MSFT',
      apikey: KEY,
    });
  });

  it('hyphenates a share class', async () => {
    serve('GLOBAL_QUOTE', recorded('global_quote_MSFT.json'));
    await alphaVantage(QUOTE_NOW).source.getQuote(parseSymbol('BRK.B'));
    expect(upstream().calls[0]?.query.symbol).toBe('BRK-B');
  });

  it('reports the session while the day trades', async () => {
    serve('GLOBAL_QUOTE', recorded('global_quote_MSFT.json'));
    const duringDay = Date.parse('2018-10-05T15:00:00Z');
    const quote = await alphaVantage(duringDay).source.getQuote(
      parseSymbol('MSFT'),
    );
    expect(quote.session).toBe('regular');
    expect(quote.asOf).toBe(duringDay);
  });

  it('reads a recorded crypto rate', async () => {
    serve(
      'CURRENCY_EXCHANGE_RATE',
      recorded('currency_exchange_rate_BTC_CNY.json'),
    );
    const quote = await alphaVantage(QUOTE_NOW).source.getQuote(
      parseSymbol('BTC-CNY'),
    );
    expect(upstream().calls[0]?.query).toMatchObject({
      from_currency: 'BTC',
      to_currency: 'CNY',
    });
    expect(quote.price).toBe(109631.430607);
    expect(quote.currency).toBe('CNY');
    expect(quote.asOf).toBe(Date.parse('2017-12-20T19:23:21Z'));
    expect(quote.session).toBe('regular');
    expect(quote.bid).toBeNull();
  });

  it('rejects the rate of another pair', async () => {
    serve(
      'CURRENCY_EXCHANGE_RATE',
      recorded('currency_exchange_rate_BTC_CNY.json'),
    );
    const error = await failure(
      alphaVantage(QUOTE_NOW).source.getQuote(parseSymbol('BTC-USD')),
    );
    expect(error.code).toBe('UPSTREAM_MALFORMED');
  });
});

describe('AlphaVantageSource derived quotes', () => {
  it('reads a forex rate with bid and ask', async () => {
    serve(
      'CURRENCY_EXCHANGE_RATE',
      derived('currency_exchange_rate_EUR_USD.json'),
    );
    const wednesday = Date.parse('2024-03-13T15:00:00Z');
    const quote = await alphaVantage(wednesday).source.getQuote(
      parseSymbol('EUR-USD'),
    );
    expect(quote.bid).toBe(1.08866);
    expect(quote.ask).toBe(1.08874);
    expect(quote.assetClass).toBe('forex');
    expect(quote.session).toBe('regular');
  });

  it('reads an empty quote as not found', async () => {
    serve('GLOBAL_QUOTE', derived('global_quote_empty.json'));
    const error = await failure(
      alphaVantage(QUOTE_NOW).source.getQuote(parseSymbol('ZZZZ')),
    );
    expect(error.code).toBe('SYMBOL_NOT_FOUND');
  });

  it('rejects indices without a call', async () => {
    const error = await failure(
      alphaVantage(QUOTE_NOW).source.getQuote(parseSymbol('^GSPC')),
    );
    expect(error.code).toBe('SYMBOL_NOT_FOUND');
    expect(upstream().calls).toHaveLength(0);
  });

  it('rejects a price that is no number', async () => {
    serve('GLOBAL_QUOTE', {
      body: JSON.stringify({
        'Global Quote': {
          '01. symbol': 'MSFT',
          '05. price': 'abc',
          '07. latest trading day': '2018-10-05',
        },
      }),
    });
    const error = await failure(
      alphaVantage(QUOTE_NOW).source.getQuote(parseSymbol('MSFT')),
    );
    expect(error.code).toBe('UPSTREAM_MALFORMED');
  });
});

/** Friday 2023-11-10, 17:00 in New York, after the recorded IBM day closed. */
const DAILY_NOW = Date.parse('2023-11-10T22:00:00Z');
const DAILY_FILE = 'time_series_daily_IBM_compact.json';

/** The recorded IBM days up to their last one, 2023-11-10. */
const ibmDaily = () => historyQuery('IBM', '1d', { end: day('2023-11-10') });

const msftQuote = (source: AlphaVantageSource) =>
  source.getQuote(parseSymbol('MSFT'));

describeWithTestData('AlphaVantageSource daily history', () => {
  it('returns every recorded row', async () => {
    serve('TIME_SERIES_DAILY', recorded(DAILY_FILE));
    const result = await alphaVantage(DAILY_NOW).source.getHistory(ibmDaily());
    const rows = recordedRows(DAILY_FILE, 'Time Series (Daily)');
    expect(result.bars).toHaveLength(100);
    result.bars.forEach((bar, index) => {
      const row = rows[index];
      expect(bar.date).toBe(row?.key);
      expect(bar.open).toBe(row?.open);
      expect(bar.high).toBe(row?.high);
      expect(bar.low).toBe(row?.low);
      expect(bar.close).toBe(row?.close);
      expect(bar.volume).toBe(row?.volume);
    });
  });

  it('describes raw bars in New York', async () => {
    serve('TIME_SERIES_DAILY', recorded(DAILY_FILE));
    const result = await alphaVantage(DAILY_NOW).source.getHistory(ibmDaily());
    expect(result.adjustment).toBe('raw');
    expect(result.timeZone).toBe('America/New_York');
    expect(result.events).toEqual([]);
  });

  it('marks closed days complete', async () => {
    serve('TIME_SERIES_DAILY', recorded(DAILY_FILE));
    const result = await alphaVantage(DAILY_NOW).source.getHistory(ibmDaily());
    expect(result.bars.every((bar) => bar.complete)).toBe(true);
  });

  it('marks the trading day incomplete', async () => {
    serve('TIME_SERIES_DAILY', recorded(DAILY_FILE));
    const midday = Date.parse('2023-11-10T17:00:00Z');
    const result = await alphaVantage(midday).source.getHistory(ibmDaily());
    expect(result.bars.at(-1)?.complete).toBe(false);
    expect(result.bars.at(-2)?.complete).toBe(true);
  });

  it('keeps the requested range and counts the rest', async () => {
    serve('TIME_SERIES_DAILY', recorded(DAILY_FILE));
    const { source, logger } = alphaVantage(DAILY_NOW);
    const result = await source.getHistory(
      historyQuery('IBM', '1d', {
        start: day('2023-11-01'),
        end: day('2023-11-08'),
      }),
    );
    expect(result.bars.map((bar) => bar.date)).toEqual([
      '2023-11-01',
      '2023-11-02',
      '2023-11-03',
      '2023-11-06',
      '2023-11-07',
      '2023-11-08',
    ]);
    expect(logger.warn).not.toHaveBeenCalled();
    expect(String(logger.debug.mock.calls[0]?.[0])).toContain(
      'alpha_vantage IBM: dropped 94 rows',
    );
  });

  it('asks for compact output when it covers', async () => {
    serve('TIME_SERIES_DAILY', recorded(DAILY_FILE));
    await alphaVantage(DAILY_NOW).source.getHistory(
      historyQuery('IBM', '1d', { start: day('2023-11-01') }),
    );
    expect(upstream().calls[0]?.query.outputsize).toBe('compact');
  });

  it('asks for full output for long ranges', async () => {
    serve('TIME_SERIES_DAILY', recorded(DAILY_FILE));
    await alphaVantage(DAILY_NOW).source.getHistory(
      historyQuery('IBM', '1d', { start: day('2020-01-02') }),
    );
    expect(upstream().calls[0]?.query.outputsize).toBe('full');
  });

  it('answers alike in any host zone', async () => {
    serve('TIME_SERIES_DAILY', recorded(DAILY_FILE));
    const query = ibmDaily();
    const inUtc = await underZone('UTC', () =>
      alphaVantage(DAILY_NOW).source.getHistory(query),
    );
    const inLosAngeles = await underZone('America/Los_Angeles', () =>
      alphaVantage(DAILY_NOW).source.getHistory(query),
    );
    expect(JSON.stringify(inLosAngeles)).toBe(JSON.stringify(inUtc));
  });
});

describeWithTestData('AlphaVantageSource weekly and intraday history', () => {
  /** Friday 2020-05-08, 14:07 in New York, as the recorded week was refreshed. */
  const WEEK_NOW = Date.parse('2020-05-08T18:07:57Z');

  it('dates recorded weeks by their Monday', async () => {
    serve(
      'TIME_SERIES_WEEKLY',
      recorded('time_series_weekly_IBM.trimmed-excerpt.json'),
    );
    const result = await alphaVantage(WEEK_NOW).source.getHistory(
      historyQuery('IBM', '1wk', { end: day('2020-05-08') }),
    );
    expect(result.bars.map((bar) => bar.date)).toEqual([
      '2020-04-27',
      '2020-05-04',
    ]);
    expect(result.bars[1]?.close).toBe(121.805);
    expect(result.bars[1]?.volume).toBe(18_730_017);
  });

  it('marks the forming week incomplete', async () => {
    serve(
      'TIME_SERIES_WEEKLY',
      recorded('time_series_weekly_IBM.trimmed-excerpt.json'),
    );
    const result = await alphaVantage(WEEK_NOW).source.getHistory(
      historyQuery('IBM', '1wk', { end: day('2020-05-08') }),
    );
    expect(result.bars.map((bar) => bar.complete)).toEqual([true, false]);
  });

  const MINUTE_FILE = 'time_series_intraday_MSFT_1min_compact.json';
  /** Monday 2017-12-18, 15:00 in New York, after the recorded minutes. */
  const MINUTE_NOW = Date.parse('2017-12-18T20:00:00Z');

  it('converts recorded minutes from New York', async () => {
    serve('TIME_SERIES_INTRADAY', recorded(MINUTE_FILE));
    const result = await alphaVantage(MINUTE_NOW).source.getHistory(
      historyQuery('MSFT', '1m', { end: MINUTE_NOW }),
    );
    const rows = recordedRows(MINUTE_FILE, 'Time Series (1min)');
    expect(result.bars).toHaveLength(rows.length);
    expect(result.bars[0]?.time).toBe(Date.parse('2017-12-18T18:17:00Z'));
    expect(result.bars.at(-1)?.time).toBe(Date.parse('2017-12-18T19:56:00Z'));
    expect(result.bars.at(-1)?.close).toBe(rows.at(-1)?.close);
    expect(result.bars[0]).not.toHaveProperty('date');
  });

  it('asks for the interval and adjustment', async () => {
    serve('TIME_SERIES_INTRADAY', recorded(MINUTE_FILE));
    const result = await alphaVantage(MINUTE_NOW).source.getHistory(
      historyQuery('MSFT', '1m', { end: MINUTE_NOW, adjusted: false }),
    );
    expect(upstream().calls[0]?.query).toMatchObject({
      symbol: 'MSFT',
      interval: '1min',
      adjusted: 'false',
    });
    expect(result.adjustment).toBe('raw');
  });

  it('converts minutes alike in any host zone', async () => {
    serve('TIME_SERIES_INTRADAY', recorded(MINUTE_FILE));
    const query = historyQuery('MSFT', '1m', { end: MINUTE_NOW });
    const inUtc = await underZone('UTC', () =>
      alphaVantage(MINUTE_NOW).source.getHistory(query),
    );
    const inLosAngeles = await underZone('America/Los_Angeles', () =>
      alphaVantage(MINUTE_NOW).source.getHistory(query),
    );
    expect(JSON.stringify(inLosAngeles)).toBe(JSON.stringify(inUtc));
  });
});

describe('AlphaVantageSource derived history', () => {
  it('dates derived months by their first day', async () => {
    serve('TIME_SERIES_MONTHLY', derived('time_series_monthly_IBM.json'));
    const result = await alphaVantage(DAILY_NOW).source.getHistory(
      historyQuery('IBM', '1mo', { end: day('2023-11-10') }),
    );
    expect(result.bars.map((bar) => bar.date)).toEqual([
      '2023-07-01',
      '2023-08-01',
      '2023-09-01',
      '2023-10-01',
      '2023-11-01',
    ]);
    expect(result.bars.map((bar) => bar.complete)).toEqual([
      true,
      true,
      true,
      true,
      false,
    ]);
  });

  it('reads daily crypto bars in UTC', async () => {
    serve(
      'DIGITAL_CURRENCY_DAILY',
      derived('digital_currency_daily_BTC_USD.json'),
    );
    const now = Date.parse('2017-12-20T19:30:00Z');
    const result = await alphaVantage(now).source.getHistory(
      historyQuery('BTC-USD', '1d', { end: day('2017-12-20') }),
    );
    expect(upstream().calls[0]?.query).toMatchObject({
      symbol: 'BTC',
      market: 'USD',
    });
    expect(result.timeZone).toBe('UTC');
    expect(result.bars.map((bar) => bar.date)).toEqual([
      '2017-12-17',
      '2017-12-18',
      '2017-12-19',
      '2017-12-20',
    ]);
    expect(result.bars.at(-1)?.close).toBe(18780.02814954);
    expect(result.bars.at(-1)?.complete).toBe(false);
  });

  it('reads the market currency of older crypto bars', async () => {
    serve(
      'DIGITAL_CURRENCY_DAILY',
      derived('digital_currency_daily_BTC_CNY_legacy.json'),
    );
    const now = Date.parse('2017-12-21T00:00:00Z');
    const result = await alphaVantage(now).source.getHistory(
      historyQuery('BTC-CNY', '1d', { end: day('2017-12-20') }),
    );
    expect(result.bars.at(-1)?.close).toBe(123574.46322682);
  });

  it('reads forex bars without volume', async () => {
    serve('FX_DAILY', derived('fx_daily_EUR_USD.json'));
    const now = Date.parse('2024-03-16T00:00:00Z');
    const result = await alphaVantage(now).source.getHistory(
      historyQuery('EUR-USD', '1d', { end: day('2024-03-15') }),
    );
    expect(upstream().calls[0]?.query).toMatchObject({
      from_symbol: 'EUR',
      to_symbol: 'USD',
    });
    expect(result.bars).toHaveLength(3);
    expect(result.bars.every((bar) => bar.volume === null)).toBe(true);
    expect(result.bars[0]?.open).toBe(1.0926);
  });

  it('reads an empty series as no data', async () => {
    serve('TIME_SERIES_DAILY', derived('time_series_daily_empty.json'));
    const error = await failure(
      alphaVantage(DAILY_NOW).source.getHistory(ibmDaily()),
    );
    expect(error.code).toBe('DATA_NOT_AVAILABLE');
  });

  it('rejects intraday crypto without a call', async () => {
    const error = await failure(
      alphaVantage(DAILY_NOW).source.getHistory(
        historyQuery('BTC-USD', '1h', { end: DAILY_NOW }),
      ),
    );
    expect(error.code).toBe('DATA_NOT_AVAILABLE');
    expect(upstream().calls).toHaveLength(0);
  });

  it('logs rows without valid prices', async () => {
    serve('TIME_SERIES_DAILY', {
      body: JSON.stringify({
        'Meta Data': { '5. Time Zone': 'US/Eastern' },
        'Time Series (Daily)': {
          '2023-11-10': {
            '1. open': 'None',
            '2. high': '1',
            '3. low': '1',
            '4. close': '1',
          },
          '2023-11-09': {
            '1. open': '1',
            '2. high': '1',
            '3. low': '1',
            '4. close': '1',
          },
        },
      }),
    });
    const { source, logger } = alphaVantage(DAILY_NOW);
    const result = await source.getHistory(ibmDaily());
    expect(result.bars).toHaveLength(1);
    expect(String(logger.warn.mock.calls[0]?.[0])).toContain(
      '1 without valid prices',
    );
  });
});

describeWithTestData('AlphaVantageSource profiles and search', () => {
  it('reads a recorded overview', async () => {
    serve('OVERVIEW', recorded('overview_IBM.json'));
    const profile = await alphaVantage(DAILY_NOW).source.getProfile(
      parseSymbol('IBM'),
    );
    expect(profile).toMatchObject({
      symbol: 'IBM',
      assetClass: 'equity',
      name: 'International Business Machines Corporation',
      exchange: 'XNYS',
      currency: 'USD',
      country: 'US',
      sector: 'Technology',
      industry: 'Information Technology Services',
      website: null,
      timeZone: 'America/New_York',
      source: 'alpha_vantage',
      asOf: DAILY_NOW,
    });
    expect(profile.description).toMatch(/^International Business Machines/);
  });

  it('keeps the dot for overviews', async () => {
    serve('OVERVIEW', recorded('overview_IBM.json'));
    await alphaVantage(DAILY_NOW).source.getProfile(parseSymbol('BRK.B'));
    expect(upstream().calls[0]?.query.symbol).toBe('BRK.B');
  });

  it('names a pair from its rate', async () => {
    serve(
      'CURRENCY_EXCHANGE_RATE',
      recorded('currency_exchange_rate_BTC_CNY.json'),
    );
    const profile = await alphaVantage(DAILY_NOW).source.getProfile(
      parseSymbol('BTC-CNY'),
    );
    expect(profile.name).toBe('Bitcoin / Chinese Yuan');
    expect(profile.base).toBe('BTC');
    expect(profile.quote).toBe('CNY');
  });

  it('reads an empty overview as not found', async () => {
    serve('OVERVIEW', derived('overview_empty.json'));
    const error = await failure(
      alphaVantage(DAILY_NOW).source.getProfile(parseSymbol('SPY')),
    );
    expect(error.code).toBe('SYMBOL_NOT_FOUND');
  });

  it('maps recorded matches', async () => {
    serve('SYMBOL_SEARCH', recorded('symbol_search_BA.json'));
    const matches = await alphaVantage(DAILY_NOW).source.search('BA', 20);
    expect(upstream().calls[0]?.query.keywords).toBe('BA');
    expect(matches).toHaveLength(10);
    expect(matches[0]).toEqual({
      symbol: 'BA',
      name: 'The Boeing Company',
      assetClass: 'equity',
      exchange: null,
      currency: 'USD',
      source: 'alpha_vantage',
    });
    expect(matches[3]?.symbol).toBe('6190.HK');
    expect(matches[3]?.currency).toBe('HKD');
  });

  it('cuts matches at the limit', async () => {
    serve('SYMBOL_SEARCH', recorded('symbol_search_BA.json'));
    const matches = await alphaVantage(DAILY_NOW).source.search('BA', 3);
    expect(matches.map((match) => match.symbol)).toEqual([
      'BA',
      'BABA',
      'BSVN',
    ]);
  });

  it('returns no matches for an empty list', async () => {
    serve('SYMBOL_SEARCH', derived('symbol_search_empty.json'));
    expect(await alphaVantage(DAILY_NOW).source.search('QQQQQ', 5)).toEqual([]);
  });
});

describeWithTestData('AlphaVantageSource recorded notices', () => {
  it.each([
    ['note_rate_limit_5_per_minute_500_per_day.json', 'UPSTREAM_RATE_LIMITED'],
    ['information_legacy_call_volume.json', 'UPSTREAM_RATE_LIMITED'],
    ['information_premium_endpoint.json', 'PLAN_NOT_PERMITTED'],
    ['information_demo_key.json', 'UPSTREAM_UNAUTHORIZED'],
    [
      'error_message_invalid_api_call_TIME_SERIES_DAILY_ADJUSTED.json',
      'SYMBOL_NOT_FOUND',
    ],
  ])('classifies %s', async (file, code) => {
    serve('TIME_SERIES_DAILY', recorded(`transcribed/${file}`));
    const error = await failure(
      alphaVantage(DAILY_NOW).source.getHistory(ibmDaily()),
    );
    expect(error.code).toBe(code);
    expect(error.upstreamStatus).toBe(200);
  });

  it('quotes the notice in the detail', async () => {
    serve(
      'TIME_SERIES_DAILY',
      recorded('transcribed/note_rate_limit_5_per_minute_500_per_day.json'),
    );
    const error = await failure(
      alphaVantage(DAILY_NOW).source.getHistory(ibmDaily()),
    );
    expect(error.detail).toContain('under "Note"');
    expect(error.detail).toContain('5 calls per minute');
  });

  it('never reads data beside a notice', async () => {
    const note = JSON.parse(
      fixture(
        'alphavantage/transcribed/note_rate_limit_5_per_minute_500_per_day.json',
      ),
    ) as Record<string, unknown>;
    const daily = JSON.parse(fixture(`alphavantage/${DAILY_FILE}`)) as Record<
      string,
      unknown
    >;
    serve('TIME_SERIES_DAILY', { body: JSON.stringify({ ...daily, ...note }) });
    const error = await failure(
      alphaVantage(DAILY_NOW).source.getHistory(ibmDaily()),
    );
    expect(error.code).toBe('UPSTREAM_RATE_LIMITED');
  });
});

describe('AlphaVantageSource derived notices', () => {
  it('reads a rejected key as unauthorized', async () => {
    serve('TIME_SERIES_DAILY', derived('error_message_invalid_api_key.json'));
    const error = await failure(
      alphaVantage(DAILY_NOW).source.getHistory(ibmDaily()),
    );
    expect(error.code).toBe('UPSTREAM_UNAUTHORIZED');
  });

  it('reads a burst limit as rate limited', async () => {
    serve('TIME_SERIES_DAILY', derived('information_burst_limit.json'));
    const error = await failure(
      alphaVantage(DAILY_NOW).source.getHistory(ibmDaily()),
    );
    expect(error.code).toBe('UPSTREAM_RATE_LIMITED');
  });

  it('scrubs the key a daily limit echoes', async () => {
    const text = derivedFixture('alpha-vantage/information_daily_limit.json');
    serve('TIME_SERIES_DAILY', { body: text.replace('{apikey}', KEY) });
    const error = await failure(
      alphaVantage(DAILY_NOW).source.getHistory(ibmDaily()),
    );
    expect(error.code).toBe('QUOTA_EXHAUSTED');
    expect(error.detail).not.toContain(KEY);
    expect(error.detail).toContain('detected your API key as ***');
  });

  it('reads an unknown notice as unavailable', async () => {
    serve('GLOBAL_QUOTE', {
      body: JSON.stringify({ Information: 'Planned maintenance tonight.' }),
    });
    const error = await failure(
      alphaVantage(QUOTE_NOW).source.getQuote(parseSymbol('IBM')),
    );
    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(error.detail).toContain('Planned maintenance tonight.');
  });
});

describeWithTestData('AlphaVantageSource transport failures', () => {
  it('fails over on 429 beyond the deadline', async () => {
    serve('GLOBAL_QUOTE', {
      status: 429,
      headers: { 'retry-after': '30' },
      body: '',
    });
    const error = await failure(
      withDeadline(2000, () => msftQuote(alphaVantage(QUOTE_NOW).source)),
    );
    expect(error.code).toBe('UPSTREAM_RATE_LIMITED');
    expect(error.retryAfterMs).toBe(30_000);
    expect(upstream().calls).toHaveLength(1);
  });

  it('retries a 429 that fits the deadline', async () => {
    let count = 0;
    serve('GLOBAL_QUOTE', () =>
      ++count === 1
        ? { status: 429, headers: { 'retry-after': '0' }, body: '' }
        : recorded('global_quote_MSFT.json'),
    );
    const result = await msftQuote(alphaVantage(QUOTE_NOW).source);
    expect(result.price).toBe(112.13);
    expect(upstream().calls).toHaveLength(2);
  });

  it('reads a 5xx as unavailable', async () => {
    serve('GLOBAL_QUOTE', { status: 503, body: 'Service Unavailable' });
    const error = await failure(msftQuote(alphaVantage(QUOTE_NOW).source));
    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(error.upstreamStatus).toBe(503);
  });

  it('gives up on a slow answer', async () => {
    serve('GLOBAL_QUOTE', {
      ...recorded('global_quote_MSFT.json'),
      delayMs: 1000,
    });
    const error = await failure(
      msftQuote(alphaVantage(QUOTE_NOW, { timeoutMs: 200 }).source),
    );
    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(error.detail).toContain('did not answer within 200 ms');
  });

  it('reads an HTML page as malformed', async () => {
    serve('GLOBAL_QUOTE', {
      headers: { 'content-type': 'text/html; charset=utf-8' },
      body: derivedFixture('alpha-vantage/html_error_page.html'),
    });
    const error = await failure(msftQuote(alphaVantage(QUOTE_NOW).source));
    expect(error.code).toBe('UPSTREAM_MALFORMED');
    expect(error.detail).toContain('text/html');
  });

  it('reads truncated JSON as malformed', async () => {
    const body = fixture(`alphavantage/${DAILY_FILE}`);
    serve('TIME_SERIES_DAILY', { body: body.slice(0, body.length / 2) });
    const error = await failure(
      alphaVantage(DAILY_NOW).source.getHistory(ibmDaily()),
    );
    expect(error.code).toBe('UPSTREAM_MALFORMED');
  });

  it('reads a series without meta data as malformed', async () => {
    serve('TIME_SERIES_DAILY', { body: '{"Time Series (Daily)": {}}' });
    const error = await failure(
      alphaVantage(DAILY_NOW).source.getHistory(ibmDaily()),
    );
    expect(error.code).toBe('UPSTREAM_MALFORMED');
  });

  it('reads 403 as unauthorized without the key', async () => {
    serve('GLOBAL_QUOTE', { status: 403, body: `forbidden for apikey=${KEY}` });
    const error = await failure(msftQuote(alphaVantage(QUOTE_NOW).source));
    expect(error.code).toBe('UPSTREAM_UNAUTHORIZED');
    expect(error.detail).not.toContain(KEY);
  });
});
