import type { Logger } from '@nestjs/common';
import { expect, it } from 'vitest';
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
import type { Interval } from '../../market/interval.js';
import { parseSymbol } from '../../market/symbol.js';
import type { HistoryQuery } from '../market-data-source.js';
import { UpstreamError } from '../upstream/upstream.errors.js';
import { AlpacaSource } from './alpaca.adapter.js';
import { MAX_BAR_PAGES } from './bar-pages.js';
import type { AlpacaFeed } from './feed-access.js';

const KEY = 'AKTEST7Q2M4XZ';
const SECRET = 'sk-alpaca-test-9f3e1c5b';
/** Tuesday 2024-01-02, 10:00 in New York: after every recorded bar. */
const NOW = Date.parse('2024-01-02T15:00:00Z');
/** Friday 2021-10-15, 13:20 in New York, twenty minutes after the AMZN bars. */
const AMZN_NOW = Date.parse('2021-10-15T17:20:00Z');
const day = (date: string) => Date.parse(`${date}T00:00:00Z`);
const AAPL_BARS = '/v2/stocks/AAPL/bars';
const AMZN_BARS = '/v2/stocks/AMZN/bars';
const CRYPTO_BARS = '/v1beta3/crypto/us/bars';

const upstream = useFakeUpstream();

function alpaca(feed: AlpacaFeed = 'iex', now = NOW) {
  const logger = fakeLogger();
  const context = testUpstreamContext({
    id: 'alpaca',
    baseUrl: upstream().baseUrl,
    key: KEY,
    secret: SECRET,
    now,
  });
  context.logger = logger as unknown as Logger;

  return { source: new AlpacaSource(context, { feed }), logger };
}

function query(
  symbol: string,
  interval: Interval,
  start: number | null,
  end: number,
  overrides: Partial<HistoryQuery> = {},
): HistoryQuery {
  return {
    instrument: parseSymbol(symbol),
    interval,
    start,
    end,
    limit: 5001,
    adjusted: true,
    ...overrides,
  };
}

const transcribed = (file: string, status = 200): FakeResponse => ({
  status,
  body: fixture(`alpaca/transcribed/${file}`),
});
const derived = (file: string): FakeResponse => ({
  body: derivedFixture(`alpaca/${file}`),
});
const aaplDaily = () => derived('v2_stocks_AAPL_bars_1Day_2022-02-01.json');
const amznQuarterHours = () =>
  derived('v2_stocks_AMZN_bars_15Min_2021-10-15.json');
const recentSipDenial = () =>
  transcribed('error_403_subscription_does_not_permit_recent_sip.json', 403);

async function failure(promise: Promise<unknown>): Promise<UpstreamError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(UpstreamError);

  return error as UpstreamError;
}

describeWithTestData('AlpacaSource daily history', () => {
  const february = query('AAPL', '1d', day('2022-02-01'), day('2022-02-02'));

  it('reads the derived daily range', async () => {
    upstream().setRoutes([route(AAPL_BARS, {}, aaplDaily)]);
    const result = await alpaca().source.getHistory(february);
    expect(result).toEqual({
      bars: [
        {
          time: day('2022-02-01'),
          date: '2022-02-01',
          open: 174,
          high: 174.84,
          low: 172.31,
          close: 174.61,
          volume: 85998033,
          complete: true,
        },
        {
          time: day('2022-02-02'),
          date: '2022-02-02',
          open: 174.64,
          high: 175.88,
          low: 173.33,
          close: 175.84,
          volume: 84817432,
          complete: true,
        },
      ],
      events: [],
      adjustment: 'split+dividend',
      timeZone: 'America/New_York',
      asOf: NOW,
    });
  });

  it('sends the bars request', async () => {
    upstream().setRoutes([route(AAPL_BARS, {}, aaplDaily)]);
    await alpaca().source.getHistory(february);
    expect(upstream().calls[0]?.query).toEqual({
      timeframe: '1Day',
      // Midnight in New York of the first day to the last second of the last.
      start: '2022-02-01T05:00:00Z',
      end: '2022-02-03T04:59:59Z',
      limit: '5001',
      sort: 'asc',
      adjustment: 'all',
      feed: 'iex',
    });
    expect(upstream().calls[0]?.headers['apca-api-key-id']).toBe(KEY);
  });

  it('asks raw prices unadjusted', async () => {
    upstream().setRoutes([route(AAPL_BARS, { adjustment: 'raw' }, aaplDaily)]);
    const result = await alpaca().source.getHistory({
      ...february,
      adjusted: false,
    });
    expect(result.adjustment).toBe('raw');
    expect(upstream().calls[0]?.query.adjustment).toBe('raw');
  });

  it('gives one body in every zone', async () => {
    upstream().setRoutes([() => aaplDaily()]);
    const original = process.env.TZ;
    const bodies: string[] = [];
    try {
      for (const zone of ['UTC', 'America/Los_Angeles', 'Asia/Tokyo']) {
        process.env.TZ = zone;
        const result = await alpaca().source.getHistory(february);
        bodies.push(JSON.stringify(result));
      }
    } finally {
      if (original === undefined) delete process.env.TZ;
      else process.env.TZ = original;
    }
    expect(bodies[1]).toBe(bodies[0]);
    expect(bodies[2]).toBe(bodies[0]);
    expect(upstream().calls.map((call) => call.query.start)).toEqual([
      '2022-02-01T05:00:00Z',
      '2022-02-01T05:00:00Z',
      '2022-02-01T05:00:00Z',
    ]);
  });

  it('serves the newest bars first', async () => {
    upstream().setRoutes([
      route('/v2/stocks/TSLA/bars', { sort: 'desc' }, () =>
        derived('v2_stocks_TSLA_bars_1Day_desc_limit3.json'),
      ),
    ]);
    const result = await alpaca().source.getHistory(
      query('TSLA', '1d', null, day('2023-09-27'), { limit: 2 }),
    );
    expect(result.bars.map((bar) => bar.date)).toEqual([
      '2023-09-26',
      '2023-09-27',
    ]);
    // Two bars were enough, so the next page was not read.
    expect(upstream().calls).toHaveLength(1);
    expect(upstream().calls[0]?.query).toMatchObject({
      start: '2000-01-01T05:00:00Z',
      end: '2023-09-28T03:59:59Z',
      limit: '2',
    });
  });

  it('drops and counts dirty rows', async () => {
    upstream().setRoutes([
      () => derived('v2_stocks_AAPL_bars_dirty_rows.json'),
    ]);
    const { source, logger } = alpaca();
    const result = await source.getHistory(
      query('AAPL', '1d', day('2022-02-01'), day('2022-02-07')),
    );
    expect(result.bars.map((bar) => bar.date)).toEqual([
      '2022-02-01',
      '2022-02-02',
    ]);
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn).toHaveBeenCalledWith(
      'alpaca AAPL: dropped 5 bar rows (1 invalid time, 2 invalid price, 1 duplicate, 1 outside the window)',
    );
  });

  it('logs rows outside the window at debug', async () => {
    upstream().setRoutes([() => aaplDaily()]);
    const { source, logger } = alpaca();
    const result = await source.getHistory(
      query('AAPL', '1d', day('2022-02-02'), day('2022-02-02')),
    );
    expect(result.bars).toHaveLength(1);
    expect(logger.warn).not.toHaveBeenCalled();
    expect(logger.debug).toHaveBeenCalledWith(
      'alpaca AAPL: dropped 1 bar row (1 outside the window)',
    );
  });

  it('maps empty bars to not available', async () => {
    upstream().setRoutes([() => derived('v2_stocks_ZZZZ_bars_empty.json')]);
    const error = await failure(
      alpaca().source.getHistory({
        ...february,
        instrument: parseSymbol('ZZZZ'),
      }),
    );
    expect(error.code).toBe('DATA_NOT_AVAILABLE');
    expect(error.detail).toContain('from 2022-02-01 to 2022-02-02');
  });

  it('maps null bars to not available', async () => {
    upstream().setRoutes([
      () => ({ body: '{"bars":null,"symbol":"AAPL","next_page_token":null}' }),
    ]);
    const error = await failure(alpaca().source.getHistory(february));
    expect(error.code).toBe('DATA_NOT_AVAILABLE');
  });

  it('rejects unserved symbols without calling', async () => {
    const error = await failure(
      alpaca().source.getHistory({
        ...february,
        instrument: parseSymbol('^GSPC'),
      }),
    );
    expect(error.code).toBe('SYMBOL_NOT_FOUND');
    expect(upstream().calls).toHaveLength(0);
  });
});

describeWithTestData('AlpacaSource bar pages', () => {
  const june = query('META', '1d', day('2022-06-08'), day('2022-06-13'));

  it('follows next_page_token', async () => {
    upstream().setRoutes([
      (call) =>
        derived(
          call.query.page_token
            ? 'v2_stocks_META_bars_1Day_page2.json'
            : 'v2_stocks_META_bars_1Day_page1.json',
        ),
    ]);
    const result = await alpaca().source.getHistory(june);
    expect(result.bars.map((bar) => bar.date)).toEqual([
      '2022-06-08',
      '2022-06-09',
      '2022-06-10',
      '2022-06-13',
    ]);
    expect(upstream().calls[1]?.query.page_token).toBe(
      'TUVUQXxEfDIwMjItMDYtMDlUMDQ6MDA6MDAuMDAwMDAwMDAwWg==',
    );
    expect(upstream().calls[1]?.query.start).toBe('2022-06-08T04:00:00Z');
  });

  it('stops on a repeated token', async () => {
    upstream().setRoutes([
      () => derived('v2_stocks_META_bars_1Day_page1.json'),
    ]);
    const error = await failure(alpaca().source.getHistory(june));
    expect(error.code).toBe('UPSTREAM_MALFORMED');
    expect(error.detail).toContain('repeats an earlier one');
    expect(upstream().calls).toHaveLength(2);
  });

  it('caps the page chain', async () => {
    let page = 0;
    upstream().setRoutes([
      () => {
        page += 1;
        return {
          body: JSON.stringify({
            bars: [
              {
                t: '2022-06-08T04:00:00Z',
                o: 1,
                h: 1,
                l: 1,
                c: 1,
                v: 1,
              },
            ],
            symbol: 'META',
            next_page_token: `page-${page}`,
          }),
        };
      },
    ]);
    const error = await failure(alpaca().source.getHistory(june));
    expect(error.code).toBe('UPSTREAM_MALFORMED');
    expect(error.detail).toContain(`after ${MAX_BAR_PAGES} pages`);
    expect(upstream().calls).toHaveLength(MAX_BAR_PAGES);
  });
});

describeWithTestData('AlpacaSource intraday history', () => {
  const afternoon = query(
    'AMZN',
    '15m',
    Date.parse('2021-10-15T16:00:00Z'),
    Date.parse('2021-10-15T17:00:00Z'),
  );

  it('reads the quarter-hour bars', async () => {
    upstream().setRoutes([route(AMZN_BARS, {}, amznQuarterHours)]);
    const result = await alpaca().source.getHistory(afternoon);
    expect(result.bars).toHaveLength(5);
    expect(result.bars[0]).toEqual({
      time: Date.parse('2021-10-15T16:00:00Z'),
      open: 3378.14,
      high: 3380.815,
      low: 3376.3001,
      close: 3379.72,
      volume: 211689,
      complete: true,
    });
    expect(upstream().calls[0]?.query).toMatchObject({
      timeframe: '15Min',
      start: '2021-10-15T16:00:00Z',
      end: '2021-10-15T17:00:00Z',
    });
  });

  it('marks the running bar incomplete', async () => {
    upstream().setRoutes([route(AMZN_BARS, {}, amznQuarterHours)]);
    const tenPast = Date.parse('2021-10-15T17:10:00Z');
    const result = await alpaca('iex', tenPast).source.getHistory({
      ...afternoon,
      end: tenPast,
    });
    // The 17:00 bar runs until 17:15.
    expect(result.bars.map((bar) => bar.complete)).toEqual([
      true,
      true,
      true,
      true,
      false,
    ]);
  });

  it('never sends a future end', async () => {
    upstream().setRoutes([route(AMZN_BARS, {}, amznQuarterHours)]);
    await alpaca('iex', AMZN_NOW).source.getHistory({
      ...afternoon,
      end: AMZN_NOW + 3_600_000,
    });
    expect(upstream().calls[0]?.query.end).toBe('2021-10-15T17:20:00Z');
  });
});

describeWithTestData('AlpacaSource recent SIP bars', () => {
  const untilNow = query(
    'AMZN',
    '15m',
    Date.parse('2021-10-15T16:00:00Z'),
    AMZN_NOW,
  );
  /** 16 minutes before 17:20: the 15 Alpaca withholds and a minute of margin. */
  const CLAMPED_END = '2021-10-15T17:04:00Z';
  const denyRecentEnds = (call: { query: Record<string, string> }) =>
    call.query.end === CLAMPED_END ? amznQuarterHours() : recentSipDenial();

  it('clamps the end once denied', async () => {
    upstream().setRoutes([denyRecentEnds]);
    const { source, logger } = alpaca('sip', AMZN_NOW);
    const result = await source.getHistory(untilNow);
    expect(result.bars).toHaveLength(5);
    expect(upstream().calls.map((call) => call.query.end)).toEqual([
      '2021-10-15T17:20:00Z',
      CLAMPED_END,
    ]);
    expect(upstream().calls[1]?.query.feed).toBe('sip');
    expect(String(logger.warn.mock.calls[0]?.[0])).toContain(
      'alpaca AMZN: PLAN_NOT_PERMITTED for SIP bars of the last 15 minutes',
    );
  });

  it('clamps up front afterwards', async () => {
    upstream().setRoutes([denyRecentEnds]);
    const { source } = alpaca('sip', AMZN_NOW);
    await source.getHistory(untilNow);
    upstream().calls.length = 0;
    await source.getHistory(untilNow);
    expect(upstream().calls.map((call) => call.query.end)).toEqual([
      CLAMPED_END,
    ]);
  });

  it('shares a denial seen by quotes', async () => {
    upstream().setRoutes([
      route('/v2/stocks/AMZN/snapshot', { feed: 'sip' }, recentSipDenial),
      route('/v2/stocks/AMZN/snapshot', { feed: 'iex' }, () =>
        transcribed('v2_stocks_AAPL_snapshot.json'),
      ),
      denyRecentEnds,
    ]);
    const { source } = alpaca('sip', AMZN_NOW);
    await source.getQuote(parseSymbol('AMZN'));
    await source.getHistory(untilNow);
    expect(upstream().calls.at(-1)?.query.end).toBe(CLAMPED_END);
    expect(upstream().calls).toHaveLength(3);
  });

  it('rejects a range inside the delay', async () => {
    upstream().setRoutes([denyRecentEnds]);
    const { source } = alpaca('sip', AMZN_NOW);
    await source.getHistory(untilNow);
    upstream().calls.length = 0;
    const error = await failure(
      source.getHistory({
        ...untilNow,
        start: Date.parse('2021-10-15T17:10:00Z'),
      }),
    );
    expect(error.code).toBe('PLAN_NOT_PERMITTED');
    expect(upstream().calls).toHaveLength(0);
  });

  it('fails when the clamped end is denied', async () => {
    upstream().setRoutes([() => recentSipDenial()]);
    const error = await failure(
      alpaca('sip', AMZN_NOW).source.getHistory(untilNow),
    );
    expect(error.code).toBe('PLAN_NOT_PERMITTED');
    expect(upstream().calls).toHaveLength(2);
  });

  it('leaves IEX ends unclamped', async () => {
    upstream().setRoutes([() => recentSipDenial()]);
    const error = await failure(
      alpaca('iex', AMZN_NOW).source.getHistory(untilNow),
    );
    expect(error.code).toBe('PLAN_NOT_PERMITTED');
    expect(upstream().calls).toHaveLength(1);
  });
});

describeWithTestData('AlpacaSource crypto history', () => {
  it('reads the recorded minute bars', async () => {
    upstream().setRoutes([
      route(CRYPTO_BARS, { symbols: 'BCH/USD', timeframe: '1Min' }, () =>
        transcribed('v1beta3_crypto_us_bars_BCH_USD_1Min_2021-11-11.json'),
      ),
    ]);
    const { source, logger } = alpaca();
    const result = await source.getHistory(
      query(
        'BCH-USD',
        '1m',
        Date.parse('2021-11-11T11:12:00Z'),
        Date.parse('2021-11-11T11:21:07Z'),
      ),
    );
    expect(result.bars).toHaveLength(10);
    expect(result.bars[0]).toEqual({
      time: Date.parse('2021-11-11T11:12:00Z'),
      open: 679.44,
      high: 679.53,
      low: 679.44,
      close: 679.53,
      volume: 0.18841132,
      complete: true,
    });
    expect(result.adjustment).toBe('raw');
    expect(result.timeZone).toBe('UTC');
    expect(upstream().calls[0]?.query).toEqual({
      symbols: 'BCH/USD',
      timeframe: '1Min',
      start: '2021-11-11T11:12:00Z',
      end: '2021-11-11T11:21:07Z',
      limit: '5001',
      sort: 'asc',
    });
    // The recording starts a minute before the requested start.
    expect(logger.debug).toHaveBeenCalledWith(
      'alpaca BCH-USD: dropped 1 bar row (1 outside the window)',
    );
  });

  it('drops duplicate timestamps', async () => {
    upstream().setRoutes([
      () =>
        transcribed(
          'v1beta3_crypto_us_bars_BCH_BTC_ETH_LTC_2Hour_2021-11-20.json',
        ),
    ]);
    const { source, logger } = alpaca();
    const result = await source.getHistory(
      query(
        'BTC-USD',
        '1h',
        Date.parse('2021-11-20T20:00:00Z'),
        Date.parse('2021-11-20T20:00:00Z'),
      ),
    );
    expect(result.bars.map((bar) => bar.close)).toEqual([59660.38]);
    expect(logger.warn).toHaveBeenCalledWith(
      'alpaca BTC-USD: dropped 2 bar rows (2 duplicate)',
    );
  });

  it('dates daily bars in UTC', async () => {
    const body = JSON.stringify({
      bars: {
        'ETH/USD': [
          {
            t: '2021-12-07T06:00:00Z',
            o: 4350.15,
            h: 4433.99,
            l: 4261.39,
            c: 4329.11,
            v: 152391.30635034,
          },
        ],
      },
      next_page_token: null,
    });
    upstream().setRoutes([() => ({ body })]);
    const result = await alpaca().source.getHistory(
      query('ETH-USD', '1d', day('2021-12-07'), day('2021-12-07')),
    );
    expect(result.bars[0]?.date).toBe('2021-12-07');
    expect(upstream().calls[0]?.query).toMatchObject({
      start: '2021-12-07T00:00:00Z',
      end: '2021-12-07T23:59:59Z',
    });
  });
});
