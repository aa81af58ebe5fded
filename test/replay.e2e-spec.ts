import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import {
  readLayout,
  type FileLayout,
  type FileRow,
} from './support/ohlcv-file.js';
import { describeWithTestData, OHLCV_DIR } from './support/test-data.js';

interface BarJson {
  date?: string;
  time?: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number | null;
  adjClose?: number;
  complete: boolean;
}
interface HistoryJson {
  symbol: string;
  interval: string;
  timeZone: string;
  adjustment: string;
  source: string;
  bars: BarJson[];
  events: { date: string; type: string; ratio?: number; amount?: number }[];
  next: string | null;
}

interface FileCase {
  layout: FileLayout;
  route: string;
  interval: string;
  timeZone: string;
}

const slashDate = (cell: string) => cell.replaceAll('/', '-');
const isoTime = (cell: string) =>
  new Date(cell.replace(' ', 'T')).toISOString();

const CASES: FileCase[] = [
  {
    layout: {
      file: 'BRK-A.daily.2014-03-03_2014-08-29.zipline.csv',
      dateColumn: 'day',
    },
    route: '/api/stocks/BRK.A',
    interval: '1d',
    timeZone: 'America/New_York',
  },
  {
    layout: {
      file: 'NVDA.daily.1999-2014.yahoo.backtrader.csv',
      dateColumn: 'Date',
      adjCloseColumn: 'Adj Close',
    },
    route: '/api/stocks/NVDA',
    interval: '1d',
    timeZone: 'America/New_York',
  },
  {
    layout: {
      file: 'SPY.daily.1999-11-01_2020-08-28.pandas-ta.csv',
      dateColumn: 'date',
    },
    route: '/api/stocks/SPY',
    interval: '1d',
    timeZone: 'America/New_York',
  },
  {
    layout: {
      file: 'TSLA.daily.2015-10-15_2018-10-15.plotly-nasdaq.csv',
      dateColumn: 'date',
      keep: (cells) => /^\d{4}\/\d{2}\/\d{2}$/.test(cells.date ?? ''),
      toKey: slashDate,
    },
    route: '/api/stocks/TSLA',
    interval: '1d',
    timeZone: 'America/New_York',
  },
  {
    layout: {
      file: 'AAPL.daily.2015-02-17_2017-02-16.plotly.csv',
      dateColumn: 'Date',
      prefix: 'AAPL.',
      adjCloseColumn: 'AAPL.Adjusted',
    },
    route: '/api/stocks/AAPL',
    interval: '1d',
    timeZone: 'America/New_York',
  },
  {
    layout: {
      file: 'BTCUSD.monthly.2012-2024.backtesting-py.csv',
      dateColumn: '',
    },
    route: '/api/crypto/BTC-USD',
    interval: '1mo',
    timeZone: 'UTC',
  },
  {
    layout: {
      file: 'EA.15m.yfinance.csv',
      dateColumn: 'Datetime',
      adjCloseColumn: 'Adj Close',
      toKey: isoTime,
    },
    route: '/api/stocks/EA',
    interval: '15m',
    timeZone: 'America/New_York',
  },
];

function tempDirWith(...files: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'replay-'));
  for (const file of files)
    copyFileSync(join(OHLCV_DIR, file), join(dir, file));

  return dir;
}

function keyOf(bar: BarJson): string {
  return bar.date ?? bar.time ?? '';
}

function expectBarEquals(
  bar: BarJson | undefined,
  row: FileRow | undefined,
): void {
  expect(bar).toBeDefined();
  expect(bar ? keyOf(bar) : undefined).toBe(row?.key);
  expect(bar?.open).toBe(row?.open);
  expect(bar?.high).toBe(row?.high);
  expect(bar?.low).toBe(row?.low);
  expect(bar?.close).toBe(row?.close);
  expect(bar?.volume).toBe(row?.volume);
  expect(bar?.adjClose).toBe(row?.adjClose);
}

/**
 * Close before the latest bar: the previous row for daily and longer data,
 * else the close of the previous day's regular session (bars starting before
 * 16:00 New York), since after-hours prints are not the official close.
 */
function localTime(row: FileRow | undefined): string {
  return row?.cells.Datetime ?? '';
}

function previousClose(rows: FileRow[], interval: string): number {
  const daily = interval === '1d' || interval === '1wk' || interval === '1mo';
  const lastDay = localTime(rows.at(-1)).slice(0, 10);
  const earlier = daily
    ? rows.slice(0, -1)
    : rows.filter(
        (row) =>
          localTime(row).slice(0, 10) < lastDay &&
          localTime(row).slice(11, 16) < '16:00',
      );

  return earlier.at(-1)?.close ?? NaN;
}

function rangeQuery(rows: FileRow[], interval: string): string {
  const first = rows[0]?.key ?? '';
  const last = rows.at(-1)?.key ?? '';

  return `/history?interval=${interval}&from=${encodeURIComponent(first)}&to=${encodeURIComponent(last)}&adjusted=false&limit=50000`;
}

describeWithTestData('replay of single real files', () => {
  for (const testCase of CASES) {
    describeWithTestData(testCase.layout.file, () => {
      let api: TestApp;
      const rows = readLayout(testCase.layout);

      beforeAll(async () => {
        api = await startTestApp({
          env: { REPLAY_DIR: tempDirWith(testCase.layout.file) },
        });
      });

      afterAll(async () => {
        await api.close();
      });

      it('returns exactly the file rows', async () => {
        const { status, body } = await api.json<HistoryJson>(
          testCase.route + rangeQuery(rows, testCase.interval),
        );
        expect(status).toBe(200);
        expect(body.source).toBe('replay');
        expect(body.timeZone).toBe(testCase.timeZone);
        expect(body.adjustment).toBe('raw');
        expect(body.bars).toHaveLength(rows.length);
        body.bars.forEach((bar, index) => expectBarEquals(bar, rows[index]));
      });

      it('returns a sub-range inclusively', async () => {
        const from = rows[10]?.key ?? '';
        const to = rows[19]?.key ?? '';
        const query = `/history?interval=${testCase.interval}&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&adjusted=false`;
        const { body } = await api.json<HistoryJson>(testCase.route + query);
        expect(body.bars.map(keyOf)).toEqual(
          rows.slice(10, 20).map((row) => row.key),
        );
      });

      it('quotes the last close against the previous close', async () => {
        const symbol = testCase.route.split('/').at(-1) ?? '';
        const { status, body } = await api.json<
          Record<string, number | string>
        >(`/api/quotes/${symbol}`);
        const last = rows.at(-1)?.close ?? NaN;
        const previous = previousClose(rows, testCase.interval);
        expect(status).toBe(200);
        expect(body.source).toBe('replay');
        expect(body.price).toBe(last);
        expect(body.previousClose).toBe(previous);
        expect(body.change).toBeCloseTo(last - previous, 9);
        expect(body.changePercent).toBeCloseTo(
          ((last - previous) / previous) * 100,
          3,
        );
      });

      it('round-trips CSV output', async () => {
        const url = testCase.route + rangeQuery(rows, testCase.interval);
        const json = await api.json<HistoryJson>(url);
        const csv = await (await api.request(`${url}&format=csv`)).text();
        const [header, ...lines] = csv.trim().split('\n');
        const columns = (header ?? '').split(',');
        const parsed = lines.map((line) => {
          const cells = line.split(',');
          const value = (name: string) => cells[columns.indexOf(name)] ?? '';
          const number = (name: string) =>
            value(name) === '' ? undefined : Number(value(name));
          return {
            key: value(columns[0] ?? ''),
            open: number('open'),
            close: number('close'),
            volume: number('volume') ?? null,
            adjClose: number('adjClose'),
            complete: value('complete') === 'true',
          };
        });
        expect(parsed).toEqual(
          json.body.bars.map((bar) => ({
            key: keyOf(bar),
            open: bar.open,
            close: bar.close,
            volume: bar.volume,
            adjClose: bar.adjClose,
            complete: bar.complete,
          })),
        );
      });
    });
  }
});

describeWithTestData('replay aggregation and corporate actions', () => {
  let api: TestApp;

  beforeAll(async () => {
    api = await startTestApp({
      env: {
        REPLAY_DIR: tempDirWith(
          'BRK-A.daily.2014-03-03_2014-08-29.zipline.csv',
          '4063-T.daily.bad-stock-split.yfinance.csv',
          'MSFT.daily.2012-2014.div-split.zipline-csvdir.csv',
        ),
      },
    });
  });

  afterAll(async () => {
    await api.close();
  });

  it('merges daily rows into weekly bars', async () => {
    const rows = readLayout({
      file: 'BRK-A.daily.2014-03-03_2014-08-29.zipline.csv',
      dateColumn: 'day',
    });
    const weeks = new Map<string, FileRow[]>();
    for (const row of rows) {
      const day = new Date(`${row.key}T00:00:00Z`);
      const monday = new Date(
        day.getTime() - ((day.getUTCDay() + 6) % 7) * 86_400_000,
      );
      const key = monday.toISOString().slice(0, 10);
      weeks.set(key, [...(weeks.get(key) ?? []), row]);
    }
    const { body } = await api.json<HistoryJson>(
      '/api/stocks/BRK-A/history?interval=1wk&from=2014-03-03&to=2014-08-29&adjusted=false',
    );
    expect(body.bars.map((bar) => bar.date)).toEqual([...weeks.keys()]);
    for (const bar of body.bars) {
      const days = weeks.get(bar.date ?? '') ?? [];
      expect(bar.open).toBe(days[0]?.open);
      expect(bar.close).toBe(days.at(-1)?.close);
      expect(bar.high).toBe(Math.max(...days.map((day) => day.high)));
      expect(bar.low).toBe(Math.min(...days.map((day) => day.low)));
      expect(bar.volume).toBe(days.reduce((sum, day) => sum + day.volume, 0));
    }
  });

  it('reports a split as the file states it', async () => {
    const { body } = await api.json<HistoryJson>(
      '/api/stocks/4063.T/history?from=2023-03-15&to=2023-04-14&adjusted=false',
    );
    expect(body.timeZone).toBe('Asia/Tokyo');
    expect(body.events).toContainEqual({
      date: '2023-03-30',
      type: 'split',
      ratio: 5,
    });
    const before = body.bars.find((bar) => bar.date === '2023-03-15');
    expect(before?.close).toBe(20205);
    expect(before?.adjClose).toBe(19940.7890625);
    const after = body.bars.find((bar) => bar.date === '2023-04-14');
    expect(after?.close).toBe(4129);
  });

  it('reports dividends without changing raw prices', async () => {
    const { body } = await api.json<HistoryJson>(
      '/api/stocks/MSFT/history?from=2014-01-01&to=2014-12-31&adjusted=false',
    );
    const dividends = body.events.filter((event) => event.type === 'dividend');
    expect(dividends.length).toBe(4);
    expect(body.bars.at(-1)?.close).toBe(46.450001);
  });

  it('answers 404 for a symbol the files lack', async () => {
    const { status, body } = await api.json('/api/stocks/AAPL/history');
    expect(status).toBe(404);
    expect(body.code).toBe('DATA_NOT_AVAILABLE');
  });

  it('answers 404 for dates the files do not cover', async () => {
    const { status, body } = await api.json(
      '/api/stocks/BRK.A/history?from=2020-01-01&to=2020-12-31',
    );
    expect(status).toBe(404);
    expect(body.code).toBe('DATA_NOT_AVAILABLE');
  });

  it('never serves simulated data in place of files', async () => {
    const { status, body } = await api.json('/api/quotes/MSFT');
    expect(status).toBe(200);
    expect(body.source).toBe('replay');
    const missing = await api.json('/api/quotes/NVDA');
    expect(missing.status).toBe(404);
    expect(missing.body.source).toBeUndefined();
  });
});

describeWithTestData('replay of the whole folder', () => {
  let api: TestApp;

  beforeAll(async () => {
    api = await startTestApp({ env: { REPLAY_DIR: OHLCV_DIR } });
  });

  afterAll(async () => {
    await api.close();
  });

  it('serves every symbol of the folder', async () => {
    for (const route of [
      '/api/stocks/AAPL',
      '/api/stocks/MSFT',
      '/api/stocks/NVDA',
      '/api/stocks/SPY',
      '/api/stocks/TSLA',
      '/api/stocks/BRK.A',
      '/api/stocks/EA',
      '/api/stocks/4063.T',
      '/api/stocks/GOOGL',
      '/api/stocks/COKE',
      '/api/stocks/YHOO',
      '/api/crypto/BTC-USD',
      '/api/crypto/ADA-BTC',
    ]) {
      const { status } = await api.json(`${route}/profile`);
      expect(status, route).toBe(200);
    }
  });

  it('lets the first file in name order win an overlap', async () => {
    const csvdir = readLayout({
      file: 'AAPL.daily.2012-2014.div-split.zipline-csvdir.csv',
      dateColumn: 'date',
    });
    const { body } = await api.json<HistoryJson>(
      '/api/stocks/AAPL/history?from=2014-03-03&to=2014-03-07&adjusted=false',
    );
    expect(body.bars.map((bar) => bar.close)).toEqual(
      csvdir
        .filter((row) => row.key >= '2014-03-03' && row.key <= '2014-03-07')
        .map((row) => row.close),
    );
  });

  it('joins overlapping files into one series', async () => {
    const { body } = await api.json<HistoryJson>(
      '/api/stocks/AAPL/history?from=2012-01-01&to=2017-12-31&adjusted=false',
    );
    expect(body.bars[0]?.date).toBe('2012-01-03');
    expect(body.bars.at(-1)?.date).toBe('2017-12-29');
    const dates = body.bars.map((bar) => bar.date ?? '');
    expect(new Set(dates).size).toBe(dates.length);
    expect([...dates].sort()).toEqual(dates);
  });

  it('reports the 7:1 split without dividing again', async () => {
    const { body } = await api.json<HistoryJson>(
      '/api/stocks/AAPL/history?from=2014-06-02&to=2014-06-13&adjusted=false',
    );
    expect(body.events).toContainEqual({
      date: '2014-06-09',
      type: 'split',
      ratio: 7,
    });
    const before = body.bars.find((bar) => bar.date === '2014-06-06');
    const after = body.bars.find((bar) => bar.date === '2014-06-09');
    expect((before?.close ?? 0) / (after?.close ?? 1)).toBeGreaterThan(0.9);
    expect((before?.close ?? 0) / (after?.close ?? 1)).toBeLessThan(1.1);
  });
});
