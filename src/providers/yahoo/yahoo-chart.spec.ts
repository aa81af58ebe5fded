import { expect, it } from 'vitest';
import {
  type FakeResponse,
  route,
  useFakeUpstream,
} from '../../../test/support/fake-upstream.js';
import { describeWithTestData } from '../../../test/support/test-data.js';
import {
  testYahooSource,
  yahooDerived,
  yahooRecording,
  type TestYahooSource,
} from '../../../test/support/yahoo-upstream.js';
import type { Interval } from '../../market/interval.js';
import { parseSymbol } from '../../market/symbol.js';
import type { HistoryQuery } from '../market-data-source.js';
import { UpstreamError } from '../upstream/upstream.errors.js';

const upstream = useFakeUpstream();

/** After every bar of the recordings, so all of them are complete. */
const NOW = Date.parse('2025-02-20T12:00:00Z');

function day(date: string): number {
  return Date.parse(`${date}T00:00:00Z`);
}

function query(
  symbol: string,
  from: string | null,
  to: string,
  options: { adjusted?: boolean; interval?: Interval; limit?: number } = {},
): HistoryQuery {
  return {
    instrument: parseSymbol(symbol),
    interval: options.interval ?? '1d',
    start: from === null ? null : day(from),
    end: day(to),
    limit: options.limit ?? 5000,
    adjusted: options.adjusted ?? true,
  };
}

function serveChart(ticker: string, response: FakeResponse): TestYahooSource {
  upstream().setRoutes([route(`/v8/finance/chart/${ticker}`, {}, response)]);

  return testYahooSource(upstream().baseUrl, { now: NOW });
}

async function failure(promise: Promise<unknown>): Promise<UpstreamError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(UpstreamError);

  return error as UpstreamError;
}

const AAPL_SPLIT = 'chart-AAPL-2020-08-31-to-2020-11-07.json';

describeWithTestData('YahooSource daily history', () => {
  it('asks a day beyond each bound', async () => {
    const { source } = serveChart('AAPL', yahooRecording(AAPL_SPLIT));
    await source.getHistory(query('AAPL', '2020-08-31', '2020-11-06'));
    expect(upstream().calls[0]?.query).toEqual({
      period1: String(day('2020-08-30') / 1000),
      period2: String(day('2020-11-08') / 1000 - 1),
      interval: '1d',
      events: 'div,splits',
      includeAdjustedClose: 'true',
    });
  });

  it('serves adjusted bars from adjclose', async () => {
    const { source } = serveChart('AAPL', yahooRecording(AAPL_SPLIT));
    const result = await source.getHistory(
      query('AAPL', '2020-08-31', '2020-11-06'),
    );
    const first = result.bars[0];
    expect(result.adjustment).toBe('split+dividend');
    expect(result.bars).toHaveLength(49);
    expect(first?.date).toBe('2020-08-31');
    expect(first?.time).toBe(day('2020-08-31'));
    expect(first?.close).toBe(125.82674);
    expect(first?.open).toBeCloseTo((127.58 * 125.82674) / 129.04, 6);
    expect(first?.adjClose).toBeUndefined();
    expect(first?.complete).toBe(true);
  });

  it('serves unadjusted bars as split', async () => {
    const { source } = serveChart('AAPL', yahooRecording(AAPL_SPLIT));
    const result = await source.getHistory(
      query('AAPL', '2020-08-31', '2020-11-06', { adjusted: false }),
    );
    expect(result.adjustment).toBe('split');
    expect(result.bars[0]).toMatchObject({
      date: '2020-08-31',
      open: 127.58,
      high: 131,
      low: 126,
      close: 129.04,
      volume: 225702700,
      adjClose: 125.82674,
    });
  });

  it('reads split and dividend events', async () => {
    const { source } = serveChart('AAPL', yahooRecording(AAPL_SPLIT));
    const result = await source.getHistory(
      query('AAPL', '2020-08-31', '2020-11-06'),
    );
    expect(result.events).toEqual([
      { date: '2020-08-31', type: 'split', ratio: 4 },
      { date: '2020-11-06', type: 'dividend', amount: 0.205 },
    ]);
  });

  it('trusts a split the prices reflect', async () => {
    const { source } = serveChart(
      'NVDA',
      yahooRecording(
        'historical-via-chart-NVDA-split-2021-02-01-to-2022-01-31.csv.json',
      ),
    );
    const result = await source.getHistory(
      query('NVDA', '2021-02-01', '2022-01-28'),
    );
    expect(result.adjustment).toBe('split+dividend');
    expect(result.events).toContainEqual({
      date: '2021-07-20',
      type: 'split',
      ratio: 4,
    });
  });

  it('finds no false split in TSLA', async () => {
    const { source, logger } = serveChart(
      'TSLA',
      yahooRecording('historical-via-chart-dividends-TSLA-no-dividends.json'),
    );
    const result = await source.getHistory(
      query('TSLA', '2010-06-29', '2023-08-11', { adjusted: false }),
    );
    expect(result.bars).toHaveLength(3303);
    expect(result.adjustment).toBe('split');
    expect(logger.warn).not.toHaveBeenCalled();
  });

  it('serves the latest bars without a start', async () => {
    const { source } = serveChart('AAPL', yahooRecording(AAPL_SPLIT));
    const result = await source.getHistory(
      query('AAPL', null, '2020-11-06', { limit: 5 }),
    );
    expect(result.bars.map((bar) => bar.date)).toEqual([
      '2020-11-02',
      '2020-11-03',
      '2020-11-04',
      '2020-11-05',
      '2020-11-06',
    ]);
    const period2 = day('2020-11-08') / 1000 - 1;
    expect(upstream().calls[0]?.query.period1).toBe(
      String(period2 - 17 * 86400),
    );
  });

  it('counts rows beyond the span', async () => {
    const { source, logger } = serveChart('AAPL', yahooRecording(AAPL_SPLIT));
    const result = await source.getHistory(
      query('AAPL', '2020-09-01', '2020-09-03'),
    );
    expect(result.bars.map((bar) => bar.date)).toEqual([
      '2020-09-01',
      '2020-09-02',
      '2020-09-03',
    ]);
    expect(logger.warn).toHaveBeenCalledWith(
      'yahoo AAPL: dropped 44 chart rows (0 without prices, 0 duplicate, 44 outside the requested span)',
    );
  });
});

describeWithTestData('YahooSource time zones', () => {
  it('dates crypto days in UTC', async () => {
    const { source } = serveChart(
      'BTC-USD',
      yahooRecording('chart-BTC-USD-2020-01-01-to-2020-01-03.json'),
    );
    const result = await source.getHistory(
      query('BTC-USD', '2020-01-01', '2020-01-03'),
    );
    expect(result.timeZone).toBe('UTC');
    expect(result.bars.map((bar) => bar.date)).toEqual([
      '2020-01-01',
      '2020-01-02',
      '2020-01-03',
    ]);
  });

  it('dates a future by New York midnight', async () => {
    const { source } = serveChart(
      'GC%3DF',
      yahooRecording('chart-GC_F-2020-01-01-to-2020-01-03.json'),
    );
    const result = await source.getHistory(
      query('GC=F', '2020-01-01', '2020-01-03'),
    );
    expect(result.bars.map((bar) => bar.date)).toEqual(['2020-01-02']);
  });

  it('dates XETRA bars in Berlin', async () => {
    const { source } = serveChart(
      'WSU.DE',
      yahooRecording('chart-WSU.DE-2023-08-04-to-2023-08-09.json'),
    );
    const result = await source.getHistory(
      query('WSU.DE', '2023-08-04', '2023-08-08'),
    );
    expect(result.timeZone).toBe('Europe/Berlin');
    expect(result.bars.map((bar) => bar.date)).toEqual([
      '2023-08-04',
      '2023-08-07',
      '2023-08-08',
    ]);
  });

  it('gives the same bars in any host zone', async () => {
    const original = process.env.TZ;
    const bodies: string[] = [];
    try {
      for (const zone of ['UTC', 'America/Los_Angeles', 'Asia/Tokyo']) {
        process.env.TZ = zone;
        const { source } = serveChart('AAPL', yahooRecording(AAPL_SPLIT));
        const result = await source.getHistory(
          query('AAPL', '2020-08-31', '2020-11-06'),
        );
        bodies.push(JSON.stringify(result));
      }
    } finally {
      process.env.TZ = original;
    }
    expect(new Set(bodies).size).toBe(1);
  });

  it('turns pence into pounds', async () => {
    const { source } = serveChart(
      'OCDO.L',
      yahooRecording('chart-OCDO.L-2020-01-01-to-2020-01-03.json'),
    );
    const result = await source.getHistory(
      query('OCDO.L', '2020-01-01', '2020-01-03', { adjusted: false }),
    );
    expect(result.bars[0]?.date).toBe('2020-01-02');
    expect(result.bars[0]?.close).toBe(12.595);
  });
});

describeWithTestData('YahooSource unreported split', () => {
  const RAW = 'chart-AAPL-2020-08-28-to-2020-11-07.unreported-split.json';

  it('labels pre-split prices raw', async () => {
    const { source } = serveChart('AAPL', yahooDerived(RAW));
    const result = await source.getHistory(
      query('AAPL', '2020-08-28', '2020-11-06'),
    );
    expect(result.adjustment).toBe('raw');
    expect(result.bars[0]?.date).toBe('2020-08-28');
    expect(result.bars[0]?.close).toBe(499.23);
    expect(result.bars[1]?.close).toBe(129.04);
  });

  it('serves no adjusted close when raw', async () => {
    const { source } = serveChart('AAPL', yahooDerived(RAW));
    const result = await source.getHistory(
      query('AAPL', '2020-08-28', '2020-11-06', { adjusted: false }),
    );
    expect(result.adjustment).toBe('raw');
    expect(result.bars[0]?.adjClose).toBeUndefined();
  });

  it('logs the jump', async () => {
    const { source, logger } = serveChart('AAPL', yahooDerived(RAW));
    await source.getHistory(query('AAPL', '2020-08-28', '2020-11-06'));
    expect(logger.warn).toHaveBeenCalledWith(
      'yahoo AAPL: prices jump by a factor of 3.913 on 2020-08-31 as a split would, so the bars are served as raw',
    );
  });
});

describeWithTestData('YahooSource chart gaps', () => {
  it('drops a day of nulls', async () => {
    const { source, logger } = serveChart(
      'WSU.DE',
      yahooDerived('chart-WSU.DE-2023-08-04-to-2023-08-09.null-day.json'),
    );
    const result = await source.getHistory(
      query('WSU.DE', '2023-08-04', '2023-08-08'),
    );
    expect(result.bars.map((bar) => bar.date)).toEqual([
      '2023-08-04',
      '2023-08-08',
    ]);
    for (const bar of result.bars) {
      for (const field of ['open', 'high', 'low', 'close', 'volume'] as const) {
        expect(typeof bar[field], `${bar.date} ${field}`).toBe('number');
      }
    }
    expect(logger.warn).toHaveBeenCalledWith(
      'yahoo WSU.DE: dropped 1 chart rows (1 without prices, 0 duplicate, 0 outside the requested span)',
    );
  });

  it('reports an empty series as unavailable', async () => {
    const { source } = serveChart(
      'AAPL',
      yahooRecording(
        'chart-AAPL-2025-02-01-to-2025-02-02-includePrePost-false-interval-1m.json',
      ),
    );
    const error = await failure(
      source.getHistory({
        ...query('AAPL', null, '2025-02-02', { interval: '1m' }),
        start: Date.parse('2025-02-01T00:00:00Z'),
        end: Date.parse('2025-02-02T00:00:00Z'),
      }),
    );
    expect(error.code).toBe('DATA_NOT_AVAILABLE');
  });
});

describeWithTestData('YahooSource chart failures', () => {
  it('reports an unknown symbol', async () => {
    const { source } = serveChart('ZZZZ', yahooDerived('chart-ZZZZ.404.json'));
    const error = await failure(
      source.getHistory(query('ZZZZ', '2020-01-01', '2020-01-03')),
    );
    expect(error.code).toBe('SYMBOL_NOT_FOUND');
    expect(error.detail).toContain('No data found');
  });

  it('reports an intraday range too old', async () => {
    const { source } = serveChart(
      'AAPL',
      yahooDerived('chart-AAPL-5m-out-of-range.422.json'),
    );
    const error = await failure(
      source.getHistory(
        query('AAPL', '2022-12-01', '2023-02-01', { interval: '5m' }),
      ),
    );
    expect(error.code).toBe('DATA_NOT_AVAILABLE');
  });

  it('rejects truncated JSON', async () => {
    const { source } = serveChart(
      'AAPL',
      yahooDerived('chart-AAPL-2020-08-31-to-2020-11-07.truncated.json'),
    );
    const error = await failure(
      source.getHistory(query('AAPL', '2020-08-31', '2020-11-06')),
    );
    expect(error.code).toBe('UPSTREAM_MALFORMED');
  });

  it('rejects an HTML page', async () => {
    const { source } = serveChart('AAPL', yahooDerived('error-page.html.json'));
    const error = await failure(
      source.getHistory(query('AAPL', '2020-08-31', '2020-11-06')),
    );
    expect(error.code).toBe('UPSTREAM_MALFORMED');
  });

  it('encodes an index in the path', async () => {
    const { source } = serveChart(
      '%5EGSPC',
      yahooRecording('chart-AAPL-2020-01-01-to-2020-01-03.json'),
    );
    await source.getHistory(query('^GSPC', '2020-01-02', '2020-01-02'));
    expect(upstream().calls[0]?.path).toBe('/v8/finance/chart/%5EGSPC');
  });
});
