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
import { NasdaqDataLinkSource } from './nasdaq-data-link.adapter.js';
import { capturePrinted } from '../../../test/support/printed-output.js';

const KEY = 'ndl-test-7c2e94';
/** Wednesday 2024-05-01, long after the WIKI table stopped. */
const NOW = Date.parse('2024-05-01T15:00:00Z');
const PRICES = '/datatables/WIKI/PRICES.json';
const day = (date: string) => Date.parse(`${date}T00:00:00Z`);

const upstream = useFakeUpstream();

function nasdaq(options: { timeoutMs?: number } = {}) {
  const logger = fakeLogger();
  const context = testUpstreamContext({
    id: 'nasdaq_data_link',
    baseUrl: upstream().baseUrl,
    key: KEY,
    now: NOW,
    ...options,
  });
  context.logger = logger as unknown as Logger;

  return { source: new NasdaqDataLinkSource(context), logger };
}

function query(
  symbol: string,
  from: string | null,
  to: string,
  overrides: Partial<HistoryQuery> & { interval?: Interval } = {},
): HistoryQuery {
  return {
    instrument: parseSymbol(symbol),
    interval: '1d',
    start: from === null ? null : day(from),
    end: day(to),
    limit: 5001,
    adjusted: true,
    ...overrides,
  };
}

const recorded = (file: string, status = 200): FakeResponse => ({
  status,
  body: fixture(`nasdaq-data-link/${file}`),
});
const derived = (file: string, status = 200): FakeResponse => ({
  status,
  body: derivedFixture(`nasdaq-data-link/${file}`),
});

const NOVEMBER_RANGE =
  'datatables_WIKI_PRICES_ticker_AAPL_date.gt_2017-11-23_date.lt_2017-11-30.json';
const ONE_DAY = 'datatables_WIKI_PRICES_ticker_AAPL_date_2017-11-22.json';
const NO_DATA =
  'datatables_WIKI_PRICES_ticker_invalid_stock_symbol_no_data.json';

/** Serves `response` to every datatable call. */
function serve(response: FakeResponse | (() => FakeResponse)) {
  upstream().setRoutes([route(PRICES, {}, response)]);
}

const dividendWeek = () =>
  derived('datatables_WIKI_PRICES_AAPL_2017-05-09_to_2017-05-15.json');

async function failure(promise: Promise<unknown>): Promise<UpstreamError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(UpstreamError);

  return error as UpstreamError;
}

describeWithTestData('NasdaqDataLinkSource recorded prices', () => {
  const november = query('AAPL', '2017-11-24', '2017-11-29');

  it('reads the recorded range', async () => {
    serve(recorded(NOVEMBER_RANGE));
    const result = await nasdaq().source.getHistory(november);
    expect(result.bars.map((bar) => bar.date)).toEqual([
      '2017-11-24',
      '2017-11-27',
      '2017-11-28',
      '2017-11-29',
    ]);
    expect(result.bars[0]).toEqual({
      time: day('2017-11-24'),
      date: '2017-11-24',
      open: 175.1,
      high: 175.5,
      low: 174.6459,
      close: 174.97,
      volume: 14026519,
      complete: true,
    });
    expect(result.events).toEqual([]);
    expect(result.adjustment).toBe('split+dividend');
    expect(result.timeZone).toBe('America/New_York');
    expect(result.coverage).toEqual({ from: '1962-01-02', to: '2018-03-27' });
  });

  it('sends the datatable request', async () => {
    serve(recorded(NOVEMBER_RANGE));
    await nasdaq().source.getHistory(november);
    expect(upstream().calls).toHaveLength(1);
    expect(upstream().calls[0]?.path).toBe(PRICES);
    expect(upstream().calls[0]?.query).toEqual({
      ticker: 'AAPL',
      'date.gte': '2017-11-24',
      'date.lte': '2017-11-29',
      'qopts.columns':
        'ticker,date,adj_open,adj_high,adj_low,adj_close,adj_volume,ex-dividend,split_ratio',
      'qopts.per_page': '10000',
      api_key: KEY,
    });
  });

  it('reads the recorded single day', async () => {
    serve(recorded(ONE_DAY));
    const result = await nasdaq().source.getHistory(
      query('AAPL', '2017-11-22', '2017-11-22'),
    );
    expect(result.bars).toEqual([
      expect.objectContaining({ date: '2017-11-22', close: 174.96 }),
    ]);
  });

  it('serves raw prices', async () => {
    serve(recorded(NOVEMBER_RANGE));
    const result = await nasdaq().source.getHistory(
      query('AAPL', '2017-11-24', '2017-11-29', { adjusted: false }),
    );
    expect(result.adjustment).toBe('raw');
    expect(result.bars[0]).toMatchObject({ close: 174.97, adjClose: 174.97 });
    expect(upstream().calls[0]?.query['qopts.columns']).toBe(
      'ticker,date,open,high,low,close,volume,adj_close,ex-dividend,split_ratio',
    );
  });

  it('gives one body in every zone', async () => {
    serve(recorded(NOVEMBER_RANGE));
    const original = process.env.TZ;
    const bodies: string[] = [];
    try {
      for (const zone of ['UTC', 'America/Los_Angeles', 'Asia/Tokyo']) {
        process.env.TZ = zone;
        const result = await nasdaq().source.getHistory(november);
        bodies.push(JSON.stringify(result));
      }
    } finally {
      if (original === undefined) delete process.env.TZ;
      else process.env.TZ = original;
    }
    expect(bodies[1]).toBe(bodies[0]);
    expect(bodies[2]).toBe(bodies[0]);
  });

  it('dates weeks by Monday', async () => {
    serve(recorded(NOVEMBER_RANGE));
    const result = await nasdaq().source.getHistory(
      query('AAPL', '2017-11-20', '2017-11-27', { interval: '1wk' }),
    );
    expect(result.bars.map((bar) => bar.date)).toEqual([
      '2017-11-20',
      '2017-11-27',
    ]);
    expect(upstream().calls[0]?.query['date.lte']).toBe('2017-12-03');
  });
});

describeWithTestData('NasdaqDataLinkSource derived prices', () => {
  const mayWeek = query('AAPL', '2017-05-09', '2017-05-15');

  it('serves adjusted prices', async () => {
    serve(dividendWeek());
    const result = await nasdaq().source.getHistory(mayWeek);
    const dividendDay = result.bars.find((bar) => bar.date === '2017-05-11');
    expect(dividendDay?.close).toBe(153.32788005131002);
    expect(dividendDay?.adjClose).toBeUndefined();
  });

  it('serves raw prices', async () => {
    serve(dividendWeek());
    const result = await nasdaq().source.getHistory({
      ...mayWeek,
      adjusted: false,
    });
    const dividendDay = result.bars.find((bar) => bar.date === '2017-05-11');
    expect(dividendDay?.close).toBe(153.95);
    expect(dividendDay?.adjClose).toBe(153.32788005131002);
  });

  it('reports the dividend', async () => {
    serve(dividendWeek());
    const result = await nasdaq().source.getHistory(mayWeek);
    expect(result.events).toEqual([
      { date: '2017-05-11', type: 'dividend', amount: 0.63 },
    ]);
  });

  it('sorts unordered rows', async () => {
    serve(dividendWeek());
    const result = await nasdaq().source.getHistory(mayWeek);
    expect(result.bars.map((bar) => bar.date)).toEqual([
      '2017-05-09',
      '2017-05-10',
      '2017-05-11',
      '2017-05-12',
      '2017-05-15',
    ]);
  });

  it('drops and counts bad rows', async () => {
    serve(derived('datatables_WIKI_PRICES_AAPL_dirty_rows.json'));
    const { source, logger } = nasdaq();
    const result = await source.getHistory(
      query('AAPL', '2017-11-20', '2017-11-30'),
    );
    expect(result.bars.map((bar) => bar.date)).toEqual([
      '2017-11-22',
      '2017-11-24',
      '2017-11-27',
      '2017-11-28',
      '2017-11-29',
    ]);
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(String(logger.warn.mock.calls[0]?.[0])).toBe(
      'nasdaq_data_link AAPL: dropped 5 WIKI rows (3 without valid prices or date, 1 with a repeated date, 1 outside the requested dates, 0 of another ticker)',
    );
  });

  it('logs outside rows at debug', async () => {
    serve(recorded(NOVEMBER_RANGE));
    const { source, logger } = nasdaq();
    const result = await source.getHistory(
      query('AAPL', '2017-11-27', '2017-11-29'),
    );
    expect(result.bars).toHaveLength(3);
    expect(logger.warn).not.toHaveBeenCalled();
    expect(String(logger.debug.mock.calls[0]?.[0])).toContain(
      '1 outside the requested dates',
    );
  });

  it('follows the cursor', async () => {
    upstream().setRoutes([
      route(
        PRICES,
        { 'qopts.cursor_id': 'cursor-page-2' },
        derived('datatables_WIKI_PRICES_AAPL_page2_of_2.json'),
      ),
      route(PRICES, {}, derived('datatables_WIKI_PRICES_AAPL_page1_of_2.json')),
    ]);
    const result = await nasdaq().source.getHistory(
      query('AAPL', '2017-11-24', '2017-11-29'),
    );
    expect(result.bars).toHaveLength(4);
    expect(upstream().calls).toHaveLength(2);
    expect(upstream().calls[1]?.query).toMatchObject({
      ticker: 'AAPL',
      'date.gte': '2017-11-24',
      'qopts.cursor_id': 'cursor-page-2',
    });
  });

  it('stops at a repeated cursor', async () => {
    serve(derived('datatables_WIKI_PRICES_AAPL_cursor_loop.json'));
    const error = await failure(
      nasdaq().source.getHistory(query('AAPL', '2017-11-24', '2017-11-29')),
    );
    expect(error.code).toBe('UPSTREAM_MALFORMED');
    expect(error.detail).toContain('repeats an earlier one');
    expect(upstream().calls).toHaveLength(2);
  });
});

describeWithTestData('NasdaqDataLinkSource empty answers', () => {
  it('reports an unknown ticker', async () => {
    serve(recorded(NO_DATA));
    const error = await failure(
      nasdaq().source.getHistory(query('ZZZZ', '2017-11-24', '2017-11-29')),
    );
    expect(error.code).toBe('SYMBOL_NOT_FOUND');
    expect(error.detail).toContain('no ticker ZZZZ');
  });

  it('probes the ticker once', async () => {
    serve(recorded(NO_DATA));
    await failure(
      nasdaq().source.getHistory(query('ZZZZ', '2017-11-24', '2017-11-29')),
    );
    expect(upstream().calls).toHaveLength(2);
    expect(upstream().calls[1]?.query).toEqual({
      ticker: 'ZZZZ',
      'qopts.columns': 'ticker',
      'qopts.per_page': '1',
      api_key: KEY,
    });
  });

  it('reports an empty range', async () => {
    upstream().setRoutes([
      route(PRICES, { 'qopts.per_page': '1' }, recorded(ONE_DAY)),
      route(PRICES, {}, recorded(NO_DATA)),
    ]);
    const error = await failure(
      nasdaq().source.getHistory(query('AAPL', '2017-11-25', '2017-11-26')),
    );
    expect(error.code).toBe('DATA_NOT_AVAILABLE');
    expect(error.detail).toContain('from 2017-11-25 to 2017-11-26');
  });

  it('skips the probe for bad rows', async () => {
    const body = fixture(`nasdaq-data-link/${ONE_DAY}`).replaceAll(
      '173.36',
      'null',
    );
    serve({ body });
    const error = await failure(
      nasdaq().source.getHistory(query('AAPL', '2017-11-22', '2017-11-22')),
    );
    expect(error.code).toBe('DATA_NOT_AVAILABLE');
    expect(upstream().calls).toHaveLength(1);
  });
});

describeWithTestData('NasdaqDataLinkSource symbols and ranges', () => {
  it('asks both share class spellings', async () => {
    const body = fixture(`nasdaq-data-link/${ONE_DAY}`).replace(
      '"AAPL"',
      '"BRK_B"',
    );
    serve({ body });
    const result = await nasdaq().source.getHistory(
      query('BRK.B', '2017-11-22', '2017-11-22'),
    );
    expect(result.bars).toHaveLength(1);
    expect(upstream().calls[0]?.query.ticker).toBe('BRK_B,BRK-B');
  });

  it('accepts the hyphen spelling', async () => {
    const body = fixture(`nasdaq-data-link/${ONE_DAY}`).replace(
      '"AAPL"',
      '"BRK-B"',
    );
    serve({ body });
    const result = await nasdaq().source.getHistory(
      query('BRK.B', '2017-11-22', '2017-11-22'),
    );
    expect(result.bars).toHaveLength(1);
  });

  it('rejects a range after the end', async () => {
    const error = await failure(
      nasdaq().source.getHistory(query('AAPL', '2019-01-02', '2019-02-01')),
    );
    expect(error.code).toBe('DATA_NOT_AVAILABLE');
    expect(error.detail).toContain('ends on 2018-03-27');
    expect(upstream().calls).toHaveLength(0);
  });

  it('cuts a range at the end', async () => {
    serve(recorded(NO_DATA));
    await failure(
      nasdaq().source.getHistory(query('AAPL', '2018-03-01', '2019-02-01')),
    );
    expect(upstream().calls[0]?.query['date.lte']).toBe('2018-03-27');
  });

  it('serves the latest bars without start', async () => {
    serve(recorded(NOVEMBER_RANGE));
    const result = await nasdaq().source.getHistory(
      query('AAPL', null, '2017-11-29', { limit: 2 }),
    );
    expect(result.bars.map((bar) => bar.date)).toEqual([
      '2017-11-28',
      '2017-11-29',
    ]);
    expect(upstream().calls[0]?.query['date.gte']).toBe('2017-11-16');
  });

  it('rejects intraday without calling', async () => {
    const error = await failure(
      nasdaq().source.getHistory(
        query('AAPL', '2017-11-24', '2017-11-29', { interval: '1h' }),
      ),
    );
    expect(error.code).toBe('DATA_NOT_AVAILABLE');
    expect(upstream().calls).toHaveLength(0);
  });

  it.each(['^GSPC', 'BTC-USD', 'EUR-USD', '4063.T'])(
    'rejects %s without calling',
    async (symbol) => {
      const error = await failure(
        nasdaq().source.getHistory(query(symbol, '2017-11-24', '2017-11-29')),
      );
      expect(error.code).toBe('SYMBOL_NOT_FOUND');
      expect(upstream().calls).toHaveLength(0);
    },
  );
});

describeWithTestData('NasdaqDataLinkSource error payloads', () => {
  const november = query('AAPL', '2017-11-24', '2017-11-29');

  it('maps QEAx01 to unauthorized', async () => {
    serve(recorded('error_400_QEAx01_invalid_api_key.json', 400));
    const error = await failure(nasdaq().source.getHistory(november));
    expect(error.code).toBe('UPSTREAM_UNAUTHORIZED');
    expect(error.detail).toContain('QEAx01');
  });

  it('maps QECx02 to not found', async () => {
    serve(
      recorded('transcribed/error_404_QECx02_incorrect_quandl_code.json', 404),
    );
    const error = await failure(nasdaq().source.getHistory(november));
    expect(error.code).toBe('SYMBOL_NOT_FOUND');
  });

  it('maps QEPx04 to not permitted', async () => {
    serve(
      recorded(
        'transcribed/error_403_QEPx04_no_permission_subscribe.json',
        403,
      ),
    );
    const error = await failure(nasdaq().source.getHistory(november));
    expect(error.code).toBe('PLAN_NOT_PERMITTED');
  });

  it.each([
    'transcribed/error_QESx02_missing_value_after_operator_eq.json',
    'transcribed/error_QESx08_cannot_filter_on_start_date.json',
  ])('logs the rejected query %s', async (file) => {
    serve(recorded(file, 422));
    const { source, logger } = nasdaq();
    const error = await failure(source.getHistory(november));
    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(logger.error).toHaveBeenCalledTimes(1);
    expect(String(logger.error.mock.calls[0]?.[0])).toContain(
      'nasdaq_data_link AAPL: UPSTREAM_UNAVAILABLE',
    );
  });

  it('logs a request too large', async () => {
    serve(derived('error_422_QELx06_too_many_rows.json', 422));
    const { source, logger } = nasdaq();
    const error = await failure(source.getHistory(november));
    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(logger.error).toHaveBeenCalledTimes(1);
  });

  it('reads an error inside 200', async () => {
    serve(
      recorded('transcribed/error_403_QEPx04_no_permission_subscribe.json'),
    );
    const error = await failure(nasdaq().source.getHistory(november));
    expect(error.code).toBe('PLAN_NOT_PERMITTED');
  });

  it('maps 410 to not available', async () => {
    serve(derived('error_410_dataset_gone.json', 410));
    const error = await failure(nasdaq().source.getHistory(november));
    expect(error.code).toBe('DATA_NOT_AVAILABLE');
    expect(error.upstreamStatus).toBe(410);
  });

  it('maps a 410 page to not available', async () => {
    serve({
      status: 410,
      headers: { 'content-type': 'text/html' },
      body: derivedFixture('nasdaq-data-link/html_error_page.html'),
    });
    const error = await failure(nasdaq().source.getHistory(november));
    expect(error.code).toBe('DATA_NOT_AVAILABLE');
  });

  it('rejects a dataset envelope', async () => {
    serve(
      recorded(
        'transcribed/datasets_WIKI_MSFT_start_date_2017-06-20_end_date_2017-06-20.json',
      ),
    );
    const error = await failure(nasdaq().source.getHistory(november));
    expect(error.code).toBe('UPSTREAM_MALFORMED');
    expect(error.detail).toContain('datatable');
  });

  it('rejects missing columns', async () => {
    const body = fixture(`nasdaq-data-link/${NOVEMBER_RANGE}`).replaceAll(
      '"adj_',
      '"x_',
    );
    serve({ body });
    const error = await failure(nasdaq().source.getHistory(november));
    expect(error.code).toBe('UPSTREAM_MALFORMED');
    expect(error.detail).toContain('adj_open');
  });
});

describeWithTestData('NasdaqDataLinkSource transport failures', () => {
  const november = query('AAPL', '2017-11-24', '2017-11-29');

  it('retries a 429 after Retry-After', async () => {
    let calls = 0;
    serve(() => {
      calls += 1;
      return calls === 1
        ? {
            ...derived('error_429_QELx02_daily_limit.json', 429),
            headers: { 'retry-after': '0' },
          }
        : recorded(NOVEMBER_RANGE);
    });
    const result = await nasdaq().source.getHistory(november);
    expect(result.bars).toHaveLength(4);
    expect(upstream().calls).toHaveLength(2);
  });

  it('fails over on a long Retry-After', async () => {
    serve({
      ...derived('error_429_QELx02_daily_limit.json', 429),
      headers: { 'retry-after': '30' },
    });
    const { source } = nasdaq({ timeoutMs: 200 });
    const error = await failure(
      withDeadline(2000, () => source.getHistory(november)),
    );
    expect(error.code).toBe('UPSTREAM_RATE_LIMITED');
    expect(error.retryAfterMs).toBe(30_000);
  });

  it('maps 5xx to unavailable', async () => {
    serve({ status: 503, body: 'Service Unavailable' });
    const error = await failure(nasdaq().source.getHistory(november));
    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(error.upstreamStatus).toBe(503);
  });

  it('times out a slow response', async () => {
    serve({ ...recorded(NOVEMBER_RANGE), delayMs: 1000 });
    const { source } = nasdaq({ timeoutMs: 100 });
    const error = await failure(source.getHistory(november));
    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(error.detail).toContain('did not answer within 100 ms');
  });

  it('rejects an HTML page', async () => {
    serve({
      headers: { 'content-type': 'text/html' },
      body: derivedFixture('nasdaq-data-link/html_error_page.html'),
    });
    const error = await failure(nasdaq().source.getHistory(november));
    expect(error.code).toBe('UPSTREAM_MALFORMED');
    expect(error.detail).toContain('HTML');
  });

  it('rejects truncated JSON', async () => {
    const body = fixture(`nasdaq-data-link/${NOVEMBER_RANGE}`);
    serve({ body: body.slice(0, body.length / 2) });
    const error = await failure(nasdaq().source.getHistory(november));
    expect(error.code).toBe('UPSTREAM_MALFORMED');
    expect(error.detail).toContain('truncated');
  });
});

describe('NasdaqDataLinkSource secrets', () => {
  it('keeps the key out', async () => {
    const echo = JSON.stringify({
      quandl_error: {
        code: 'QESx01',
        message: `Unknown parameter api_key=${KEY}`,
      },
    });
    serve({ status: 422, body: echo });
    const { source, logger } = nasdaq();
    const { result: error, printed } = await capturePrinted(() =>
      failure(source.getHistory(query('AAPL', '2017-11-24', '2017-11-29'))),
    );
    const logged = [
      ...logger.error.mock.calls,
      ...logger.warn.mock.calls,
      ...logger.log.mock.calls,
    ]
      .flat()
      .map(String);
    expect(upstream().calls[0]?.query.api_key).toBe(KEY);
    expect(error.detail).toContain('api_key=***');
    expect(JSON.stringify(error)).not.toContain(KEY);
    expect(logged.join('\n')).toContain('api_key=***');
    expect([...logged, ...printed].join('\n')).not.toContain(KEY);
  });
});
