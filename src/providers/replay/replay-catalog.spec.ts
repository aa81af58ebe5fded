import { describe, expect, it } from 'vitest';
import { DataNotAvailableError } from '../../common/api.errors.js';
import {
  coverageOf,
  describeCoverage,
  ReplayCatalog,
} from './replay-catalog.js';
import { readReplayFile } from './replay-file.js';
import { mergeSeries } from './series-merge.js';

function catalogOf(...files: Array<[string, string]>): ReplayCatalog {
  const parts = files.flatMap(
    ([name, text]) => readReplayFile(name, text).series,
  );

  return new ReplayCatalog(mergeSeries(parts).series);
}

const SPY_DAILY = [
  'date,open,high,low,close',
  '2024-03-14,1,1,1,1',
  '2024-03-15,1,1,1,1',
].join('\n');
const SPY_HOURLY = [
  'Datetime,Open,High,Low,Close',
  '2024-03-18 09:30:00-04:00,1,1,1,1',
  '2024-03-18 10:30:00-04:00,1,1,1,1',
  '2024-03-18 20:30:00-04:00,1,1,1,1',
].join('\n');

const thirteenSymbols = catalogOf(
  ...Array.from({ length: 13 }, (_, i): [string, string] => [
    `S${i + 10}.csv`,
    SPY_DAILY,
  ]),
);

function thrownBy(action: () => unknown): DataNotAvailableError | undefined {
  try {
    action();
  } catch (error) {
    if (error instanceof DataNotAvailableError) return error;
    throw error;
  }

  return undefined;
}

describe('ReplayCatalog', () => {
  const catalog = catalogOf(
    ['SPY.d.csv', SPY_DAILY],
    ['SPY.h.csv', SPY_HOURLY],
  );

  it('lists symbols', () => {
    expect(
      catalogOf(['SPY.csv', SPY_DAILY], ['EA.csv', SPY_DAILY]).symbols(),
    ).toEqual(['EA', 'SPY']);
  });

  it('orders series finest first', () => {
    expect(catalog.find('SPY')?.series.map((one) => one.interval)).toEqual([
      '1h',
      '1d',
    ]);
  });

  it('rejects an unknown symbol', () => {
    expect(() => catalog.require('MSFT')).toThrow(DataNotAvailableError);
  });

  it('lists contents for an unknown symbol', () => {
    expect(() => catalog.require('MSFT')).toThrow(
      'The replay files have no data for MSFT. They contain SPY.',
    );
  });

  it('names ten symbols at most', () => {
    expect(() => thirteenSymbols.require('MSFT')).toThrow(
      'They contain S10, S11, S12, S13, S14, S15, S16, S17, S18, S19 and 3 more.',
    );
  });

  it('lists ten symbols in details', () => {
    const error = thrownBy(() => thirteenSymbols.require('MSFT'));
    expect(error).toBeInstanceOf(DataNotAvailableError);
    expect(error?.extra.available).toHaveLength(10);
  });

  it('describes stored coverage', () => {
    const entry = catalog.require('SPY');
    expect(describeCoverage(entry)).toBe(
      '1h from 2024-03-18 to 2024-03-18 and 1d from 2024-03-14 to 2024-03-15',
    );
  });
});

describe('coverageOf', () => {
  it('dates intraday bars in the zone', () => {
    const [hourly] = catalogOf(['SPY.csv', SPY_HOURLY]).require('SPY').series;
    if (!hourly) throw new Error('no series');
    // 20:30 New York is already the next day in UTC.
    expect(coverageOf(hourly)).toEqual({
      from: '2024-03-18',
      to: '2024-03-18',
    });
  });
});
