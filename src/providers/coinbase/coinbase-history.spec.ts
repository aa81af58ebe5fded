import type { Logger } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { fakeLogger } from '../../../test/support/fake-logger.js';
import {
  derivedFixture,
  useFakeUpstream,
  type FakeResponse,
  type FakeRoute,
  type RecordedCall,
} from '../../../test/support/fake-upstream.js';
import {
  testUpstreamContext,
  type TestContextOptions,
} from '../../../test/support/upstream-context.js';
import type { Interval } from '../../market/interval.js';
import { parseSymbol } from '../../market/symbol.js';
import type { HistoryQuery } from '../market-data-source.js';
import { UpstreamError } from '../upstream/upstream.errors.js';
import { CoinbaseSource } from './coinbase.adapter.js';
import { MAX_CANDLE_PAGES } from './coinbase-pages.js';

const upstream = useFakeUpstream();

/** Friday 2024-03-15, 14:30 UTC. */
const NOW = Date.parse('2024-03-15T14:30:00Z');
const CANDLES = '/products/BTC-USD/candles';
const HOUR = 3_600_000;

function coinbase(options: Partial<TestContextOptions> = {}) {
  const logger = fakeLogger();
  const context = testUpstreamContext({
    id: 'coinbase',
    baseUrl: upstream().baseUrl,
    key: null,
    now: NOW,
    ...options,
  });
  const source = new CoinbaseSource({
    ...context,
    logger: logger as unknown as Logger,
  });

  return { source, logger, context };
}

function query(
  interval: Interval,
  start: string | null,
  end: string,
  limit = 5001,
): HistoryQuery {
  return {
    instrument: parseSymbol('BTC-USD', { context: 'crypto' }),
    interval,
    start: start === null ? null : Date.parse(start),
    end: Date.parse(end),
    limit,
    adjusted: true,
  };
}

function serveCandles(
  response: FakeResponse | ((call: RecordedCall) => FakeResponse),
): void {
  upstream().setRoutes([
    (call) => {
      if (call.path !== CANDLES) return undefined;
      return typeof response === 'function' ? response(call) : response;
    },
  ]);
}

function payload(name: string, status = 200): FakeResponse {
  return { status, body: derivedFixture(`coinbase/${name}`) };
}

/**
 * Serves candle requests as Coinbase documents them: every candle from
 * `start` to `end` (here also from `since` on), newest first, and 400 for
 * a span of more than 300 candles.
 */
function syntheticCandles(since = 0): FakeRoute {
  return (call) => {
    if (call.path !== CANDLES) return undefined;
    const stepMs = Number(call.query.granularity) * 1000;
    const start = Date.parse(call.query.start ?? '');
    const end = Date.parse(call.query.end ?? '');
    if ((end - start) / stepMs + 1 > 300) {
      return payload('error_400_too_many_candles.json', 400);
    }
    const rows: number[][] = [];
    for (let time = end; time >= Math.max(start, since); time -= stepMs) {
      const close = Math.round(42_000 + 1_500 * Math.sin(time / 4e8)) / 1;
      rows.push([time / 1000, close - 35, close + 40, close - 12, close, 87.5]);
    }

    return { body: JSON.stringify(rows) };
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

function logged(method: ReturnType<typeof fakeLogger>['warn']): string {
  return method.mock.calls.flat().map(String).join('\n');
}

describe('CoinbaseSource daily history', () => {
  const MARCH = query('1d', '2024-03-11T00:00:00Z', '2024-03-15T00:00:00Z');

  it('serves daily bars ascending', async () => {
    serveCandles(payload('candles_BTC-USD_1d_2024-03-11_2024-03-15.json'));
    const result = await coinbase().source.getHistory(MARCH);
    expect(result.bars.map((bar) => [bar.date, bar.close])).toEqual([
      ['2024-03-11', 72123.9],
      ['2024-03-12', 71481.29],
      ['2024-03-13', 73083.5],
      ['2024-03-14', 71396.71],
      ['2024-03-15', 68512.44],
    ]);
    expect(result.adjustment).toBe('raw');
    expect(result.timeZone).toBe('UTC');
    expect(result.events).toEqual([]);
  });

  it('reads the documented column order', async () => {
    serveCandles(payload('candles_BTC-USD_1d_2024-03-11_2024-03-15.json'));
    const { bars } = await coinbase().source.getHistory(MARCH);
    expect(bars[0]).toEqual({
      time: Date.parse('2024-03-11T00:00:00Z'),
      date: '2024-03-11',
      open: 69020.55,
      high: 72850,
      low: 67194.88,
      close: 72123.9,
      volume: 21876.42799457,
      complete: true,
    });
    expect(bars.at(-1)?.complete).toBe(false);
  });

  it('asks for one page of days', async () => {
    serveCandles(payload('candles_BTC-USD_1d_2024-03-11_2024-03-15.json'));
    await coinbase().source.getHistory(MARCH);
    expect(upstream().calls.map((call) => call.query)).toEqual([
      {
        granularity: '86400',
        start: '2024-03-11T00:00:00Z',
        end: '2024-03-15T00:00:00Z',
      },
    ]);
  });

  it('gives one result in any zone', async () => {
    serveCandles(payload('candles_BTC-USD_1d_2024-03-11_2024-03-15.json'));
    const original = process.env.TZ;
    const results: string[] = [];
    try {
      for (const zone of ['UTC', 'America/Los_Angeles', 'Asia/Tokyo']) {
        process.env.TZ = zone;
        const result = await coinbase().source.getHistory(MARCH);
        results.push(JSON.stringify(result));
      }
    } finally {
      process.env.TZ = original;
    }
    const queries = upstream().calls.map((call) => JSON.stringify(call.query));
    expect(results[1]).toBe(results[0]);
    expect(results[2]).toBe(results[0]);
    expect(new Set(queries).size).toBe(1);
  });

  it('drops and counts dirty rows', async () => {
    serveCandles(payload('candles_BTC-USD_1d_dirty_rows.json'));
    const { source, logger } = coinbase();
    const { bars } = await source.getHistory(MARCH);
    expect(bars.map((bar) => bar.date)).toEqual(['2024-03-14', '2024-03-15']);
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logged(logger.warn)).toBe(
      'coinbase BTC-USD: dropped 5 candle rows (3 without usable prices, 1 duplicate, 1 outside the requested window)',
    );
  });

  it('logs rows outside the window at debug', async () => {
    serveCandles(payload('candles_BTC-USD_1d_2024-03-11_2024-03-15.json'));
    const { source, logger } = coinbase();
    const later = query('1d', '2024-03-13T00:00:00Z', '2024-03-15T00:00:00Z');
    const { bars } = await source.getHistory(later);
    expect(bars).toHaveLength(3);
    expect(logger.warn).not.toHaveBeenCalled();
    expect(logged(logger.debug)).toContain('2 outside the requested window');
  });

  it('fails on an empty series', async () => {
    serveCandles(payload('candles_empty.json'));
    const error = await failure(coinbase().source.getHistory(MARCH));
    expect(error.code).toBe('DATA_NOT_AVAILABLE');
    expect(error.detail).toContain('from 2024-03-11 to 2024-03-15');
  });

  it('rejects truncated JSON', async () => {
    serveCandles(payload('candles_BTC-USD_1d_truncated.json'));
    const error = await failure(coinbase().source.getHistory(MARCH));
    expect(error.code).toBe('UPSTREAM_MALFORMED');
  });

  it('rejects an object body', async () => {
    serveCandles({ body: '{"candles":[]}' });
    const error = await failure(coinbase().source.getHistory(MARCH));
    expect(error.code).toBe('UPSTREAM_MALFORMED');
  });

  it('logs a rejected request as our bug', async () => {
    serveCandles(payload('error_400_too_many_candles.json', 400));
    const { source, logger } = coinbase();
    const error = await failure(source.getHistory(MARCH));
    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(error.detail).toContain('exceeds 300');
    expect(logger.error).toHaveBeenCalledTimes(1);
  });

  it('reads 404 as unknown', async () => {
    serveCandles(payload('error_404_not_found.json', 404));
    const error = await failure(coinbase().source.getHistory(MARCH));
    expect(error.code).toBe('SYMBOL_NOT_FOUND');
  });

  it('rejects a stock without a call', async () => {
    const stock = { ...MARCH, instrument: parseSymbol('AAPL') };
    const error = await failure(coinbase().source.getHistory(stock));
    expect(error.code).toBe('SYMBOL_NOT_FOUND');
    expect(upstream().calls).toHaveLength(0);
  });
});

describe('CoinbaseSource merged intervals', () => {
  it('builds 30m bars from 15m candles', async () => {
    serveCandles(
      payload('candles_BTC-USD_15m_2024-03-15T12-00_2024-03-15T13-45.json'),
    );
    const { bars } = await coinbase().source.getHistory(
      query('30m', '2024-03-15T12:00:00Z', '2024-03-15T13:30:00Z'),
    );
    expect(upstream().calls[0]?.query.granularity).toBe('900');
    expect(bars).toEqual([
      {
        time: Date.parse('2024-03-15T12:00:00Z'),
        open: 68230.15,
        high: 68590.47,
        low: 68105.52,
        close: 68522.88,
        volume: 304.11011027,
        complete: true,
      },
      expect.objectContaining({ close: 68190.07, volume: 308.57364293 }),
      expect.objectContaining({ close: 68155.26, volume: 389.8951583 }),
      expect.objectContaining({ open: 68155.26, close: 68512.44 }),
    ]);
  });

  it('builds weeks from days', async () => {
    upstream().setRoutes([syntheticCandles()]);
    const { bars } = await coinbase().source.getHistory(
      query('1wk', '2024-02-26T00:00:00Z', '2024-03-11T00:00:00Z'),
    );
    expect(upstream().calls[0]?.query.granularity).toBe('86400');
    expect(bars.map((bar) => [bar.date, bar.complete])).toEqual([
      ['2024-02-26', true],
      ['2024-03-04', true],
      ['2024-03-11', false],
    ]);
  });

  it('builds months from days', async () => {
    upstream().setRoutes([syntheticCandles()]);
    const { bars } = await coinbase().source.getHistory(
      query('1mo', null, '2024-03-15T00:00:00Z', 3),
    );
    expect(bars.map((bar) => bar.date)).toEqual([
      '2024-01-01',
      '2024-02-01',
      '2024-03-01',
    ]);
  });
});

describe('CoinbaseSource candle paging', () => {
  it('pages through more than 300 candles', async () => {
    upstream().setRoutes([syntheticCandles()]);
    const { bars } = await coinbase().source.getHistory(
      query('1h', '2024-01-01T00:00:00Z', '2024-01-20T23:00:00Z'),
    );
    const times = bars.map((bar) => bar.time);
    expect(bars).toHaveLength(480);
    expect(times[0]).toBe(Date.parse('2024-01-01T00:00:00Z'));
    expect(times.at(-1)).toBe(Date.parse('2024-01-20T23:00:00Z'));
    expect(
      times.every((time, i) => i === 0 || time - (times[i - 1] ?? 0) === HOUR),
    ).toBe(true);
    expect(upstream().calls.map((call) => call.query.start)).toEqual([
      '2024-01-01T00:00:00Z',
      '2024-01-13T12:00:00Z',
    ]);
  });

  it('pages back without start', async () => {
    upstream().setRoutes([syntheticCandles()]);
    const { bars } = await coinbase().source.getHistory(
      query('1h', null, '2024-01-20T23:00:00Z', 400),
    );
    expect(bars).toHaveLength(400);
    expect(bars.at(-1)?.time).toBe(Date.parse('2024-01-20T23:00:00Z'));
    expect(upstream().calls.map((call) => call.query.end)).toEqual([
      '2024-01-20T23:00:00Z',
      '2024-01-08T11:00:00Z',
    ]);
  });

  it('stops once enough bars are read', async () => {
    upstream().setRoutes([syntheticCandles()]);
    const { bars } = await coinbase().source.getHistory(
      query('1h', '2023-01-01T00:00:00Z', '2024-03-15T00:00:00Z', 10),
    );
    expect(bars).toHaveLength(10);
    expect(upstream().calls).toHaveLength(1);
  });

  it('stops at the listing going back', async () => {
    upstream().setRoutes([
      syntheticCandles(Date.parse('2024-01-01T00:00:00Z')),
    ]);
    const { bars } = await coinbase().source.getHistory(
      query('1d', null, '2024-03-15T00:00:00Z'),
    );
    expect(bars[0]?.date).toBe('2024-01-01');
    expect(bars).toHaveLength(75);
    expect(upstream().calls).toHaveLength(2);
  });

  it('caps the number of pages', async () => {
    serveCandles(payload('candles_empty.json'));
    const error = await failure(
      coinbase().source.getHistory(
        query('1m', '2015-01-01T00:00:00Z', '2015-06-01T00:00:00Z'),
      ),
    );
    expect(error.code).toBe('DATA_NOT_AVAILABLE');
    expect(error.detail).toContain(`more than ${MAX_CANDLE_PAGES} requests`);
    expect(upstream().calls).toHaveLength(MAX_CANDLE_PAGES);
  });

  it('waits for the quota between pages', async () => {
    upstream().setRoutes([syntheticCandles()]);
    const { source } = coinbase({ quota: { perSecond: 2 } });
    const { bars } = await source.getHistory(
      query('1h', '2024-01-01T00:00:00Z', '2024-01-29T23:00:00Z'),
    );
    expect(bars).toHaveLength(696);
    expect(upstream().calls).toHaveLength(3);
  });

  it('fails over when the quota is used up', async () => {
    upstream().setRoutes([syntheticCandles()]);
    const { source, context } = coinbase({ quota: { perSecond: 1 } });
    await context.quota.consume('coinbase', 'BTC-USD');
    const error = await failure(
      source.getHistory(
        query('1h', '2024-01-01T00:00:00Z', '2024-01-02T00:00:00Z'),
      ),
    );
    expect(error.code).toBe('QUOTA_EXHAUSTED');
    expect(upstream().calls).toHaveLength(0);
  });
});
