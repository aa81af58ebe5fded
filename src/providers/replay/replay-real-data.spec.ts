import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  describeWithTestData,
  OHLCV_DIR,
} from '../../../test/support/test-data.js';
import { parseSymbol } from '../../market/symbol.js';
import type { HistoryQuery } from '../market-data-source.js';
import { viewBars } from './adjustment.js';
import { ReplaySource } from './replay.adapter.js';
import { readReplayFile, type FileSeries } from './replay-file.js';
import { fakeLogger } from '../../../test/support/fake-logger.js';

/** Data lines of a file split into cells, read without the replay parser. */
function dataLines(name: string, header = true): string[][] {
  const lines = readFileSync(path.join(OHLCV_DIR, name), 'utf8')
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '')
    .map((line) => line.split(',').map((cell) => cell.replaceAll('"', '')));

  return header ? lines.slice(1) : lines;
}

function onlySeries(name: string): FileSeries {
  const text = readFileSync(path.join(OHLCV_DIR, name), 'utf8');
  const [series, ...rest] = readReplayFile(name, text).series;
  if (!series || rest.length > 0) throw new Error(`${name}: not one series`);

  return series;
}

interface ExpectedBar {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

interface FileCase {
  file: string;
  symbol: string;
  interval: string;
  header?: boolean;
  /** Reads one data line the way the file documents it. */
  expected: (cells: string[]) => ExpectedBar;
}

const utcDate = (date: string) => Date.parse(`${date}T00:00:00Z`);
/** Column order open, high, low, close, volume starting at `first`. */
const ohlcvFrom = (cells: string[], first: number) => ({
  open: Number(cells[first]),
  high: Number(cells[first + 1]),
  low: Number(cells[first + 2]),
  close: Number(cells[first + 3]),
  volume: Number(cells[first + 4]),
});

const CASES: FileCase[] = [
  {
    file: 'NVDA.daily.1999-2014.yahoo.backtrader.csv',
    symbol: 'NVDA',
    interval: '1d',
    expected: (cells) => ({
      time: utcDate(cells[0] ?? ''),
      ...ohlcvFrom(cells, 1),
      volume: Number(cells[6]),
    }),
  },
  {
    file: 'SPY.daily.1999-11-01_2020-08-28.pandas-ta.csv',
    symbol: 'SPY',
    interval: '1d',
    expected: (cells) => ({
      time: utcDate(cells[1] ?? ''),
      ...ohlcvFrom(cells, 2),
    }),
  },
  {
    file: 'BRK-A.daily.2014-03-03_2014-08-29.zipline.csv',
    symbol: 'BRK.A',
    interval: '1d',
    expected: (cells) => ({
      time: utcDate(cells[0] ?? ''),
      ...ohlcvFrom(cells, 1),
    }),
  },
  {
    file: 'AAPL.daily.2015-02-17_2017-02-16.plotly.csv',
    symbol: 'AAPL',
    interval: '1d',
    expected: (cells) => ({
      time: utcDate(cells[0] ?? ''),
      ...ohlcvFrom(cells, 1),
    }),
  },
  {
    file: 'MSFT.daily.2012-2014.div-split.zipline-csvdir.csv',
    symbol: 'MSFT',
    interval: '1d',
    expected: (cells) => ({
      time: utcDate(cells[0] ?? ''),
      ...ohlcvFrom(cells, 1),
    }),
  },
  {
    file: 'TSLA.daily.2015-10-15_2018-10-15.plotly-nasdaq.csv',
    symbol: 'TSLA',
    interval: '1d',
    expected: (cells) => ({
      time: utcDate((cells[0] ?? '').replaceAll('/', '-')),
      open: Number(cells[3]),
      high: Number(cells[4]),
      low: Number(cells[5]),
      close: Number(cells[1]),
      volume: Number(cells[2]),
    }),
  },
  {
    file: 'EA.15m.yfinance.csv',
    symbol: 'EA',
    interval: '15m',
    expected: (cells) => ({
      time: Date.parse((cells[0] ?? '').replace(' ', 'T')),
      ...ohlcvFrom(cells, 1),
      volume: Number(cells[6]),
    }),
  },
  {
    file: 'ADABTC.1m.2021-11-27.binance-klines.nautilus.csv',
    symbol: 'ADA-BTC',
    interval: '1m',
    header: false,
    expected: (cells) => ({ time: Number(cells[0]), ...ohlcvFrom(cells, 1) }),
  },
  {
    file: 'BTCUSD.monthly.2012-2024.backtesting-py.csv',
    symbol: 'BTC-USD',
    interval: '1mo',
    expected: (cells) => ({
      time: utcDate(cells[0] ?? ''),
      ...ohlcvFrom(cells, 1),
    }),
  },
  {
    file: '4063-T.daily.bad-stock-split.yfinance.csv',
    symbol: '4063.T',
    interval: '1d',
    expected: (cells) => ({
      time: utcDate((cells[0] ?? '').slice(0, 10)),
      ...ohlcvFrom(cells, 1),
      volume: Number(cells[6]),
    }),
  },
];

/** Rows a file states as bars, ascending, leaving out unreadable snapshot rows. */
function expectedBars(fileCase: FileCase): ExpectedBar[] {
  return dataLines(fileCase.file, fileCase.header ?? true)
    .filter((cells) => !/^\d{1,2}:\d{2}$/.test(cells[0] ?? ''))
    .map(fileCase.expected)
    .sort((a, b) => a.time - b.time);
}

describeWithTestData('replay over the real files', () => {
  describe.each(CASES)('$file', (fileCase) => {
    const expected = expectedBars(fileCase);
    const series = onlySeries(fileCase.file);
    const actual = series.bars.map(
      ({ time, open, high, low, close, volume }) => ({
        time,
        open,
        high,
        low,
        close,
        volume,
      }),
    );

    it('reads symbol and interval', () => {
      expect(series.instrument.symbol).toBe(fileCase.symbol);
      expect(series.interval).toBe(fileCase.interval);
    });

    it('reads every row', () => {
      expect(actual).toHaveLength(expected.length);
    });

    it('matches the first bar', () => {
      expect(actual[0]).toEqual(expected[0]);
    });

    it('matches the last bar', () => {
      expect(actual.at(-1)).toEqual(expected.at(-1));
    });

    it('matches every value', () => {
      expect(actual).toEqual(expected);
    });
  });

  describe('4063.T unadjusted split', () => {
    const series = onlySeries('4063-T.daily.bad-stock-split.yfinance.csv');

    it('reports the split and dividend', () => {
      expect(series.events).toEqual([
        { date: '2023-03-30', type: 'split', ratio: 5 },
        { date: '2023-03-30', type: 'dividend', amount: 55 },
      ]);
    });

    it('keeps raw and adjusted close', () => {
      const bar = series.bars.find((one) => one.date === '2023-03-28');
      expect(bar?.close).toBe(20710);
      expect(bar?.adjClose).toBe(20439.185546875);
    });

    it('serves the adjusted close', () => {
      const adjusted = viewBars(series.bars, true).find(
        (bar) => bar.date === '2023-03-28',
      );
      expect(adjusted?.close).toBe(20439.185546875);
    });
  });

  describe('whole folder', () => {
    const logger = fakeLogger();
    const source = new ReplaySource({ dir: OHLCV_DIR, speed: 60, logger });
    const files = dataFileNames();
    const warnings = () =>
      logger.warn.mock.calls.map(([message]) => String(message));
    const history = (symbol: string, range: Partial<HistoryQuery>) =>
      source.getHistory({
        instrument: parseSymbol(symbol),
        interval: '1d',
        start: null,
        end: Date.parse('2030-01-01'),
        limit: 10_000,
        adjusted: false,
        ...range,
      });

    beforeAll(async () => {
      await source.load();
    });

    it('reads every file', () => {
      expect(source.status().info).toMatchObject({
        filesRead: files.length,
        filesSkipped: 0,
      });
    });

    it('gets a series from every file', () => {
      const reads = logger.log.mock.calls
        .map(([message]) => String(message))
        .filter((message) => message.startsWith('Read '));
      expect(reads).toHaveLength(files.length);
      expect(reads.filter((message) => message.endsWith('no series'))).toEqual(
        [],
      );
    });

    it('skips only the snapshot row', () => {
      expect(source.status().info).toMatchObject({ rowsSkipped: 1 });
    });

    it('warns once per disagreeing pair', () => {
      const pairs = warnings()
        .filter((message) => message.includes(' differ from '))
        .map((message) => /bars of (\S+) differ from (\S+)/.exec(message))
        .map((match) => [match?.[2], match?.[1]]);
      expect(pairs).toEqual([
        [
          '4063-T.daily.bad-stock-split-fixed.yfinance.csv',
          '4063-T.daily.bad-stock-split.yfinance.csv',
        ],
        [
          'AAPL.daily.2012-2014.div-split.zipline-csvdir.csv',
          'AAPL.daily.2014-03-03_2014-08-29.raw-7for1-split.zipline.csv',
        ],
        [
          'AAPL.daily.2015-02-17_2017-02-16.plotly.csv',
          'MULTI.daily.2015-2017.plotly-quandl-wiki.csv',
        ],
        [
          'MULTI.daily.2015-2017.plotly-quandl-wiki.csv',
          'TSLA.daily.2015-10-15_2018-10-15.plotly-nasdaq.csv',
        ],
      ]);
    });

    it('counts the pre-split AAPL conflicts', () => {
      const preSplit = dataLines(
        'AAPL.daily.2014-03-03_2014-08-29.raw-7for1-split.zipline.csv',
      ).filter((cells) => (cells[0] ?? '') < '2014-06-09').length;
      expect(warnings()).toContain(
        `AAPL 1d: ${preSplit} bars of AAPL.daily.2014-03-03_2014-08-29.raw-7for1-split.zipline.csv differ from AAPL.daily.2012-2014.div-split.zipline-csvdir.csv by more than 0.05%; kept those of AAPL.daily.2012-2014.div-split.zipline-csvdir.csv`,
      );
    });

    it('keeps the csvdir AAPL prices', async () => {
      const { bars } = await history('AAPL', {
        start: utcDate('2014-06-06'),
        end: utcDate('2014-06-06'),
      });
      expect(bars[0]?.close).toBe(92.224289);
    });

    it('does not divide split prices again', async () => {
      const { bars, events } = await history('AAPL', {
        start: utcDate('2014-06-06'),
        end: utcDate('2014-06-09'),
        adjusted: true,
      });
      expect(bars.map((bar) => bar.close)).toEqual([92.224289, 93.699997]);
      expect(events).toEqual([{ date: '2014-06-09', type: 'split', ratio: 7 }]);
    });

    it('keeps the plotly AAPL prices', async () => {
      const { bars } = await history('AAPL', {
        start: utcDate('2015-02-17'),
        end: utcDate('2015-02-17'),
      });
      expect(bars[0]?.close).toBe(127.830002);
    });

    it('keeps the Quandl TSLA prices', async () => {
      const { bars } = await history('TSLA', {
        start: utcDate('2017-12-29'),
        end: utcDate('2017-12-29'),
      });
      expect(bars[0]?.close).toBe(311.35);
    });

    it('extends TSLA from the nasdaq file', async () => {
      const { bars } = await history('TSLA', {});
      expect(bars.at(-1)).toMatchObject({ date: '2018-10-15', close: 259.59 });
    });

    it('merges daily SPY rows into weeks', async () => {
      const { bars } = await history('SPY', { interval: '1wk' });
      const weeks = weeksOf(
        dataLines('SPY.daily.1999-11-01_2020-08-28.pandas-ta.csv').map(
          (cells) => ({ date: cells[1] ?? '', ...ohlcvFrom(cells, 2) }),
        ),
      );
      const served = bars.map(({ date, open, high, low, close, volume }) => ({
        date,
        open,
        high,
        low,
        close,
        volume,
      }));
      expect(served).toEqual(weeks);
    });

    it('quotes SPY at the last close', async () => {
      const lines = dataLines('SPY.daily.1999-11-01_2020-08-28.pandas-ta.csv');
      const last = Number(lines.at(-1)?.[5]);
      const previous = Number(lines.at(-2)?.[5]);
      const quote = await source.getQuote(parseSymbol('SPY'));
      expect(quote.price).toBe(last);
      expect(quote.previousClose).toBe(previous);
      expect(quote.change).toBeCloseTo(last - previous, 9);
      expect(quote.changePercent).toBeCloseTo(
        ((last - previous) / previous) * 100,
        4,
      );
    });

    it('quotes EA against the regular close', async () => {
      const regularClose = dataLines('EA.15m.yfinance.csv').find((cells) =>
        cells[0]?.startsWith('2026-06-02 15:45'),
      )?.[4];
      const quote = await source.getQuote(parseSymbol('EA'));
      expect(quote.previousClose).toBe(Number(regularClose));
    });
  });
});

function dataFileNames(): string[] {
  return readdirSync(OHLCV_DIR).filter((name) => /\.(csv|txt)$/i.test(name));
}

interface DailyRow {
  date: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** Merges daily rows into weeks starting on Monday, by plain date arithmetic. */
function weeksOf(rows: readonly DailyRow[]): DailyRow[] {
  const weeks: DailyRow[] = [];
  for (const row of rows) {
    const day = new Date(utcDate(row.date));
    const monday = new Date(
      day.getTime() - ((day.getUTCDay() + 6) % 7) * 86_400_000,
    )
      .toISOString()
      .slice(0, 10);
    const week = weeks.at(-1);
    if (week?.date !== monday) {
      weeks.push({ ...row, date: monday });
      continue;
    }
    week.high = Math.max(week.high, row.high);
    week.low = Math.min(week.low, row.low);
    week.close = row.close;
    week.volume += row.volume;
  }

  return weeks;
}
