import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  describeWithTestData,
  OHLCV_DIR,
} from '../../../test/support/test-data.js';
import type { Bar } from '../../market/bar.js';
import { parseSymbol } from '../../market/symbol.js';
import type { HistoryQuery } from '../market-data-source.js';
import { ReplaySource } from './replay.adapter.js';

const ZIPLINE_CSVDIR = 'AAPL.daily.2012-2014.div-split.zipline-csvdir.csv';
const RAW_SPLIT =
  'AAPL.daily.2014-03-03_2014-08-29.raw-7for1-split.zipline.csv';
const SHIN_ETSU = '4063-T.daily.bad-stock-split.yfinance.csv';
const SHIN_ETSU_FIXED = '4063-T.daily.bad-stock-split-fixed.yfinance.csv';

/**
 * Relative difference allowed between the Shin-Etsu bars divided here and
 * the repaired file: both divide the same numbers by 5, so only float
 * rounding may differ.
 */
const REPAIR_TOLERANCE = 1e-9;

function quietLogger() {
  return {
    log: vi.fn<(message: unknown) => void>(),
    warn: vi.fn<(message: unknown) => void>(),
    error: vi.fn<(message: unknown) => void>(),
    debug: vi.fn<(message: unknown) => void>(),
  };
}

/** Loads a replay source over a temporary folder holding `files`. */
async function sourceOf(...files: string[]): Promise<ReplaySource> {
  const dir = await mkdtemp(path.join(tmpdir(), 'replay-adjustment-'));
  for (const file of files) {
    await copyFile(path.join(OHLCV_DIR, file), path.join(dir, file));
  }
  const source = new ReplaySource({ dir, speed: 60, logger: quietLogger() });
  await source.load();
  await rm(dir, { recursive: true, force: true });

  return source;
}

function query(
  symbol: string,
  from: string,
  to: string,
  adjusted: boolean,
): HistoryQuery {
  return {
    instrument: parseSymbol(symbol),
    interval: '1d',
    start: Date.parse(from),
    end: Date.parse(to),
    limit: 10_000,
    adjusted,
  };
}

function byDate(bars: readonly Bar[], date: string): Bar | undefined {
  return bars.find((bar) => bar.date === date);
}

function relativeDifference(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
}

describeWithTestData('adjustment over the whole folder', () => {
  let source: ReplaySource;
  const history = (from: string, to: string, adjusted = true) =>
    source.getHistory(query('AAPL', from, to, adjusted));

  beforeAll(async () => {
    source = new ReplaySource({
      dir: OHLCV_DIR,
      speed: 60,
      logger: quietLogger(),
    });
    await source.load();
  });

  it('serves the year end as stored', async () => {
    const { bars, adjustment } = await history('2014-12-29', '2015-01-06');
    expect(adjustment).toBe('raw');
    expect(byDate(bars, '2014-12-31')?.close).toBe(110.379997);
    expect(byDate(bars, '2015-01-02')?.close).toBe(109.33);
  });

  it('serves two adjusted files as stored', async () => {
    const { bars, adjustment } = await history('2015-02-13', '2015-02-17');
    expect(adjustment).toBe('raw');
    expect(bars.map((bar) => bar.close)).toEqual([127.08, 127.830002]);
  });

  it('adjusts within one file', async () => {
    const { bars, adjustment } = await history('2015-03-02', '2015-03-04');
    expect(adjustment).toBe('split+dividend');
    expect(bars.map((bar) => bar.close)).toEqual([
      124.116706, 124.376308, 123.587892,
    ]);
  });

  it('labels the reflected split', async () => {
    const { adjustment } = await history('2014-06-02', '2014-06-13', false);
    expect(adjustment).toBe('split');
  });
});

describeWithTestData('adjustment of single files', () => {
  describe('zipline csvdir AAPL', () => {
    let source: ReplaySource;

    beforeAll(async () => {
      source = await sourceOf(ZIPLINE_CSVDIR);
    });

    afterAll(async () => {
      await source.stream.close();
    });

    it('labels stored bars split', async () => {
      const result = await source.getHistory(
        query('AAPL', '2012-01-03', '2014-12-31', false),
      );
      expect(result.adjustment).toBe('split');
      expect(byDate(result.bars, '2014-06-06')?.close).toBe(92.224289);
    });

    it('divides nothing again', async () => {
      const result = await source.getHistory(
        query('AAPL', '2012-01-03', '2014-12-31', true),
      );
      expect(result.adjustment).toBe('split');
      expect(byDate(result.bars, '2012-01-03')?.close).toBe(58.747143);
      expect(byDate(result.bars, '2014-06-06')?.close).toBe(92.224289);
    });
  });

  describe('raw 7-for-1 AAPL', () => {
    let source: ReplaySource;

    beforeAll(async () => {
      source = await sourceOf(RAW_SPLIT);
    });

    it('stays raw without a split column', async () => {
      const result = await source.getHistory(
        query('AAPL', '2014-03-03', '2014-08-29', true),
      );
      expect(result.adjustment).toBe('raw');
      expect(byDate(result.bars, '2014-06-06')?.close).toBe(645.570023);
    });
  });

  describe('Shin-Etsu unadjusted split', () => {
    let broken: ReplaySource;
    let repaired: ReplaySource;

    beforeAll(async () => {
      broken = await sourceOf(SHIN_ETSU);
      repaired = await sourceOf(SHIN_ETSU_FIXED);
    });

    it('divides bars before the jump', async () => {
      const range = query('4063.T', '2023-03-15', '2023-04-14', true);
      const mine = await broken.getHistory(range);
      const theirs = await repaired.getHistory(range);
      expect(mine.adjustment).toBe('split+dividend');
      expect(theirs.adjustment).toBe('split+dividend');
      expect(mine.bars.map((bar) => bar.date)).toEqual(
        theirs.bars.map((bar) => bar.date),
      );
      mine.bars.forEach((bar, i) => {
        const other = theirs.bars[i];
        for (const field of ['open', 'high', 'low', 'close'] as const) {
          const difference = relativeDifference(
            bar[field],
            other?.[field] ?? 0,
          );
          expect(difference, `${bar.date} ${field}`).toBeLessThan(
            REPAIR_TOLERANCE,
          );
        }
        expect(bar.volume, `${bar.date} volume`).toBe(other?.volume);
      });
    });

    it('keeps the day of the jump', async () => {
      const { bars } = await broken.getHistory(
        query('4063.T', '2023-03-28', '2023-03-30', true),
      );
      expect(byDate(bars, '2023-03-28')?.close).toBeCloseTo(20439.1855 / 5, 3);
      expect(byDate(bars, '2023-03-29')?.close).toBe(4151);
    });

    it('serves raw bars as stored', async () => {
      const { bars, adjustment } = await broken.getHistory(
        query('4063.T', '2023-03-15', '2023-04-14', false),
      );
      expect(adjustment).toBe('raw');
      expect(byDate(bars, '2023-03-28')).toMatchObject({
        close: 20710,
        adjClose: 20439.185546875,
        volume: 901100,
      });
    });

    it('labels the repaired file split', async () => {
      const { adjustment } = await repaired.getHistory(
        query('4063.T', '2023-03-15', '2023-04-14', false),
      );
      expect(adjustment).toBe('split');
    });
  });
});
