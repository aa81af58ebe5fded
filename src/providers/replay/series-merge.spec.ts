import { describe, expect, it } from 'vitest';
import { parseSymbol } from '../../market/symbol.js';
import type { FileSeries } from './replay-file.js';
import { mergeSeries } from './series-merge.js';

function day(date: string, close: number) {
  return {
    time: Date.parse(date),
    date,
    open: close,
    high: close,
    low: close,
    close,
    volume: 1,
    complete: true,
  };
}

function part(
  file: string,
  bars: ReturnType<typeof day>[],
  events: FileSeries['events'] = [],
): FileSeries {
  return {
    file,
    instrument: parseSymbol('AAPL'),
    interval: '1d',
    bars,
    events,
  };
}

describe('mergeSeries', () => {
  it('joins files by time', () => {
    const { series } = mergeSeries([
      part('a.csv', [day('2014-06-10', 2)]),
      part('b.csv', [day('2014-06-09', 1)]),
    ]);
    expect(series[0]?.bars.map((bar) => bar.date)).toEqual([
      '2014-06-09',
      '2014-06-10',
    ]);
  });

  it('keeps the earlier file on conflict', () => {
    const { series } = mergeSeries([
      part('a.csv', [day('2014-06-06', 92.22)]),
      part('b.csv', [day('2014-06-06', 645.57)]),
    ]);
    expect(series[0]?.bars[0]?.close).toBe(92.22);
  });

  it('reports one conflict per pair', () => {
    const { conflicts } = mergeSeries([
      part('a.csv', [day('2014-06-05', 92.4), day('2014-06-06', 92.22)]),
      part('b.csv', [day('2014-06-05', 647.35), day('2014-06-06', 645.57)]),
    ]);
    expect(conflicts).toEqual([
      {
        symbol: 'AAPL',
        interval: '1d',
        kept: 'a.csv',
        dropped: 'b.csv',
        rows: 2,
      },
    ]);
  });

  it('tolerates rounding differences', () => {
    const { conflicts } = mergeSeries([
      part('a.csv', [day('2014-06-06', 100)]),
      part('b.csv', [day('2014-06-06', 100.04)]),
    ]);
    expect(conflicts).toEqual([]);
  });

  it('flags differences beyond tolerance', () => {
    const { conflicts } = mergeSeries([
      part('a.csv', [day('2014-06-06', 100)]),
      part('b.csv', [day('2014-06-06', 100.06)]),
    ]);
    expect(conflicts).toHaveLength(1);
  });

  it('keeps intervals apart', () => {
    const weekly = {
      ...part('b.csv', [day('2014-06-09', 1)]),
      interval: '1wk' as const,
    };
    const { series } = mergeSeries([
      part('a.csv', [day('2014-06-09', 1)]),
      weekly,
    ]);
    expect(series.map((one) => one.interval)).toEqual(['1d', '1wk']);
  });

  it('merges events once', () => {
    const split = { date: '2014-06-09', type: 'split', ratio: 7 } as const;
    const dividend = {
      date: '2014-05-08',
      type: 'dividend',
      amount: 3.29,
    } as const;
    const { series } = mergeSeries([
      part('a.csv', [day('2014-06-09', 1)], [split]),
      part('b.csv', [day('2014-06-09', 1)], [split, dividend]),
    ]);
    expect(series[0]?.events).toEqual([dividend, split]);
  });

  it('keeps each bar origin', () => {
    const { series } = mergeSeries([
      part('a.csv', [day('2014-06-09', 1)]),
      part('b.csv', [day('2014-06-09', 1), day('2014-06-10', 1)]),
    ]);
    expect(series[0]?.bars.map((bar) => bar.origin)).toEqual([
      'a.csv',
      'b.csv',
    ]);
  });

  it('lists the source files', () => {
    const { series } = mergeSeries([
      part('a.csv', [day('2014-06-09', 1)]),
      part('b.csv', [day('2014-06-10', 1)]),
    ]);
    expect(series[0]?.files).toEqual(['a.csv', 'b.csv']);
  });
});
