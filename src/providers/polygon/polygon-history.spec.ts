import type { Logger } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { fakeLogger } from '../../../test/support/fake-logger.js';
import {
  derivedFixture,
  fixture,
  useFakeUpstream,
} from '../../../test/support/fake-upstream.js';
import { describeWithTestData } from '../../../test/support/test-data.js';
import { testUpstreamContext } from '../../../test/support/upstream-context.js';
import type { Interval } from '../../market/interval.js';
import { parseSymbol } from '../../market/symbol.js';
import type { HistoryQuery } from '../market-data-source.js';
import { UpstreamError } from '../upstream/upstream.errors.js';
import { MAX_AGGREGATE_PAGES } from './aggregate-pages.js';
import { PolygonSource } from './polygon.adapter.js';

const KEY = 'pk-test-5d1e9f';
const NOW = Date.parse('2022-10-19T16:05:00Z');
const day = (date: string) => Date.parse(`${date}T00:00:00Z`);
/** Midnight in New York on a winter date, where Polygon starts US daily bars. */
const newYorkDay = (date: string) => Date.parse(`${date}T05:00:00Z`);
const RANGE_2005 = '/v2/aggs/ticker/AAPL/range/1/day/2005-04-01/2005-04-04';

const upstream = useFakeUpstream();

function polygon() {
  const logger = fakeLogger();
  const context = testUpstreamContext({
    id: 'polygon',
    baseUrl: upstream().baseUrl,
    key: KEY,
    now: NOW,
  });
  context.logger = logger as unknown as Logger;

  return { source: new PolygonSource(context), logger };
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

/** Builds an aggregates body of the given rows in Polygon's layout. */
function aggregates(
  rows: { t: number; o: number; h: number; l: number; c: number; v: number }[],
  extra: Record<string, unknown> = {},
): string {
  return JSON.stringify({
    ticker: 'X',
    queryCount: rows.length,
    resultsCount: rows.length,
    adjusted: true,
    results: rows,
    status: 'OK',
    request_id: 'r',
    count: rows.length,
    ...extra,
  });
}

const bar = (t: number) => ({ t, o: 10, h: 11, l: 9, c: 10.5, v: 100 });

const recordedRange = () => ({
  body: fixture(
    'polygon/v2_aggs_ticker_AAPL_range_1_day_2005-04-01_2005-04-04.json',
  ),
});

async function failure(promise: Promise<unknown>): Promise<UpstreamError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(UpstreamError);

  return error as UpstreamError;
}

describeWithTestData('PolygonSource daily history', () => {
  const april2005 = query('AAPL', '1d', day('2005-04-01'), day('2005-04-04'));

  it('reads the recorded range', async () => {
    upstream().setRoutes([recordedRange]);
    const result = await polygon().source.getHistory(april2005);
    expect(result.bars).toEqual([
      {
        time: day('2005-04-01'),
        date: '2005-04-01',
        open: 1.5032,
        high: 1.5064,
        low: 1.4489,
        close: 1.4604,
        volume: 642646396,
        complete: true,
      },
      {
        time: day('2005-04-04'),
        date: '2005-04-04',
        open: 1.4639,
        high: 1.4754,
        low: 1.4343,
        close: 1.4675,
        volume: 578172308,
        complete: true,
      },
    ]);
    expect(result.adjustment).toBe('split');
    expect(result.timeZone).toBe('America/New_York');
  });

  it('sends the aggregates request', async () => {
    upstream().setRoutes([recordedRange]);
    await polygon().source.getHistory(april2005);
    expect(upstream().calls[0]?.path).toBe(RANGE_2005);
    expect(upstream().calls[0]?.query).toEqual({
      adjusted: 'true',
      sort: 'asc',
      limit: '50000',
    });
    expect(upstream().calls[0]?.headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it('labels unadjusted bars raw', async () => {
    const body = JSON.parse(recordedRange().body) as Record<string, unknown>;
    upstream().setRoutes([
      () => ({ body: JSON.stringify({ ...body, adjusted: false }) }),
    ]);
    const result = await polygon().source.getHistory({
      ...april2005,
      adjusted: false,
    });
    expect(upstream().calls[0]?.query.adjusted).toBe('false');
    expect(result.adjustment).toBe('raw');
  });

  it('gives one body in every zone', async () => {
    upstream().setRoutes([recordedRange]);
    const original = process.env.TZ;
    const bodies: string[] = [];
    try {
      for (const zone of ['UTC', 'America/Los_Angeles', 'Asia/Tokyo']) {
        process.env.TZ = zone;
        bodies.push(
          JSON.stringify(await polygon().source.getHistory(april2005)),
        );
      }
    } finally {
      if (original === undefined) delete process.env.TZ;
      else process.env.TZ = original;
    }
    expect(bodies[1]).toBe(bodies[0]);
    expect(bodies[2]).toBe(bodies[0]);
  });

  it('drops and counts bad rows', async () => {
    upstream().setRoutes([
      () => ({ body: derivedFixture('polygon/v2_aggs_AAPL_dirty_rows.json') }),
    ]);
    const { source, logger } = polygon();
    const result = await source.getHistory(april2005);
    expect(result.bars.map((row) => row.date)).toEqual([
      '2005-04-01',
      '2005-04-04',
    ]);
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn.mock.calls[0]?.[0]).toBe(
      'polygon AAPL: dropped 4 aggregate rows (2 invalid price, 1 outside the window, 1 duplicate)',
    );
  });

  it('reports an empty range', async () => {
    upstream().setRoutes([
      () => ({
        body: derivedFixture(
          'polygon/v2_aggs_ticker_AAPL_range_1_day_empty.json',
        ),
      }),
    ]);
    const error = await failure(polygon().source.getHistory(april2005));
    expect(error.code).toBe('DATA_NOT_AVAILABLE');
    expect(error.detail).toContain('from 2005-04-01 to 2005-04-04');
  });
});

describeWithTestData('PolygonSource history paging', () => {
  it('stops at a repeated cursor', async () => {
    upstream().setRoutes([
      (call) => ({
        body: derivedFixture(
          call.query.cursor
            ? 'polygon/v2_aggs_AAPL_page2_cursor_loop.json'
            : 'polygon/v2_aggs_AAPL_page1_cursor_loop.json',
        ),
      }),
    ]);
    const error = await failure(
      polygon().source.getHistory(
        query('AAPL', '1d', day('2005-04-01'), day('2005-04-04')),
      ),
    );
    expect(error.code).toBe('UPSTREAM_MALFORMED');
    expect(error.detail).toContain('repeats an earlier cursor');
    expect(upstream().calls).toHaveLength(2);
  });

  it('follows next_url to the base URL', async () => {
    upstream().setRoutes([
      (call) => ({
        body: derivedFixture(
          call.query.cursor
            ? 'polygon/v2_aggs_AAPL_page2_cursor_loop.json'
            : 'polygon/v2_aggs_AAPL_page1_cursor_loop.json',
        ),
      }),
    ]);
    await failure(
      polygon().source.getHistory(
        query('AAPL', '1d', day('2005-04-01'), day('2005-04-04')),
      ),
    );
    const next = upstream().calls[1];
    expect(next?.path).toBe(
      '/v2/aggs/ticker/AAPL/range/1/day/1112331600000/1112587200000',
    );
    expect(next?.query.cursor).toBe(
      'bGltaXQ9MSZzb3J0PWFzYyZ0PTExMTI1ODcyMDAwMDA',
    );
    expect(next?.headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it('caps an endless chain', async () => {
    let page = 0;
    upstream().setRoutes([
      () => {
        page += 1;
        return {
          body: aggregates([bar(day('2022-01-03') + page * 60_000)], {
            next_url: `https://api.polygon.io/v2/aggs/ticker/AAPL/range/1/minute/0/1?cursor=c${page}`,
          }),
        };
      },
    ]);
    const error = await failure(
      polygon().source.getHistory(
        query('AAPL', '1m', day('2022-01-03'), day('2022-01-04')),
      ),
    );
    expect(error.code).toBe('UPSTREAM_MALFORMED');
    expect(upstream().calls).toHaveLength(MAX_AGGREGATE_PAGES);
  });

  it('drops apiKey from next_url', async () => {
    upstream().setRoutes([
      (call) => ({
        body: call.query.cursor
          ? aggregates([bar(newYorkDay('2022-01-04'))])
          : aggregates([bar(newYorkDay('2022-01-03'))], {
              next_url: `https://api.massive.com/v2/aggs/ticker/AAPL/range/1/day/2022-01-03/2022-01-04?cursor=abc&apiKey=${KEY}`,
            }),
      }),
    ]);
    const result = await polygon().source.getHistory(
      query('AAPL', '1d', day('2022-01-03'), day('2022-01-04')),
    );
    expect(result.bars).toHaveLength(2);
    expect(upstream().calls[1]?.query).toEqual({ cursor: 'abc' });
  });

  it('stops once forward bars suffice', async () => {
    upstream().setRoutes([
      () => ({
        body: aggregates(
          [bar(newYorkDay('2022-01-03')), bar(newYorkDay('2022-01-04'))],
          {
            next_url:
              'https://api.polygon.io/v2/aggs/ticker/AAPL/range/1/day/a/b?cursor=more',
          },
        ),
      }),
    ]);
    const result = await polygon().source.getHistory(
      query('AAPL', '1d', day('2022-01-03'), day('2022-01-31'), { limit: 2 }),
    );
    expect(result.bars).toHaveLength(2);
    expect(upstream().calls).toHaveLength(1);
  });
});

describe('PolygonSource history intervals', () => {
  it('asks minute multiples in ms', async () => {
    const start = Date.parse('2022-10-19T14:30:00Z');
    const end = Date.parse('2022-10-19T16:10:00Z');
    upstream().setRoutes([
      () => ({
        body: aggregates([bar(start), bar(start + 300_000), bar(NOW)]),
      }),
    ]);
    const result = await polygon().source.getHistory(
      query('AAPL', '5m', start, end),
    );
    expect(upstream().calls[0]?.path).toBe(
      `/v2/aggs/ticker/AAPL/range/5/minute/${start}/${end}`,
    );
    expect(result.bars.map((row) => row.time)).toEqual([
      start,
      start + 300_000,
      NOW,
    ]);
    expect(result.bars.map((row) => row.complete)).toEqual([true, true, false]);
  });

  it('asks hours for 1h', async () => {
    const start = Date.parse('2022-10-18T13:00:00Z');
    upstream().setRoutes([() => ({ body: aggregates([bar(start)]) })]);
    await polygon().source.getHistory(query('AAPL', '1h', start, NOW));
    expect(upstream().calls[0]?.path).toBe(
      `/v2/aggs/ticker/AAPL/range/1/hour/${start}/${NOW}`,
    );
  });

  it('dates crypto days in UTC', async () => {
    upstream().setRoutes([
      () => ({
        body: aggregates([bar(day('2022-10-17')), bar(day('2022-10-18'))]),
      }),
    ]);
    const result = await polygon().source.getHistory(
      query('BTC-USD', '1d', day('2022-10-17'), day('2022-10-18')),
    );
    expect(upstream().calls[0]?.path).toBe(
      '/v2/aggs/ticker/X:BTCUSD/range/1/day/2022-10-17/2022-10-18',
    );
    expect(result.bars.map((row) => row.date)).toEqual([
      '2022-10-17',
      '2022-10-18',
    ]);
    expect(result.timeZone).toBe('UTC');
  });

  it('dates weeks by Monday', async () => {
    // Polygon starts this week on Sunday 2022-10-09, midnight in New York.
    const sunday = Date.parse('2022-10-09T04:00:00Z');
    upstream().setRoutes([() => ({ body: aggregates([bar(sunday)]) })]);
    const result = await polygon().source.getHistory(
      query('AAPL', '1wk', day('2022-10-10'), day('2022-10-17')),
    );
    expect(upstream().calls[0]?.path).toBe(
      '/v2/aggs/ticker/AAPL/range/1/week/2022-10-09/2022-10-17',
    );
    expect(result.bars[0]?.date).toBe('2022-10-10');
    expect(result.bars[0]?.complete).toBe(true);
  });

  it('dates months by their first', async () => {
    const october = Date.parse('2022-10-01T04:00:00Z');
    upstream().setRoutes([() => ({ body: aggregates([bar(october)]) })]);
    const result = await polygon().source.getHistory(
      query('AAPL', '1mo', day('2022-10-01'), day('2022-10-19')),
    );
    expect(upstream().calls[0]?.path).toContain('/range/1/month/2022-10-01/');
    expect(result.bars[0]?.date).toBe('2022-10-01');
    expect(result.bars[0]?.complete).toBe(false);
  });

  it('keeps the latest bars without start', async () => {
    upstream().setRoutes([
      () => ({
        body: aggregates([
          bar(Date.parse('2022-10-14T04:00:00Z')),
          bar(Date.parse('2022-10-17T04:00:00Z')),
          bar(Date.parse('2022-10-18T04:00:00Z')),
        ]),
      }),
    ]);
    const result = await polygon().source.getHistory(
      query('AAPL', '1d', null, day('2022-10-18'), { limit: 2 }),
    );
    expect(result.bars.map((row) => row.date)).toEqual([
      '2022-10-17',
      '2022-10-18',
    ]);
    const from = upstream().calls[0]?.path.split('/').at(-2) ?? '';
    expect(from < '2022-10-14').toBe(true);
  });

  it('rejects foreign listings without calling', async () => {
    const error = await failure(
      polygon().source.getHistory(
        query('4063.T', '1d', null, day('2022-10-18')),
      ),
    );
    expect(error.code).toBe('SYMBOL_NOT_FOUND');
    expect(upstream().calls).toHaveLength(0);
  });
});
