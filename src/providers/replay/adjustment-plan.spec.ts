import { describe, expect, it } from 'vitest';
import type { CorporateAction } from '../../market/bar.js';
import { parseSymbol } from '../../market/symbol.js';
import { planAdjustment } from './adjustment-plan.js';
import type { ReplaySeries, StoredBar } from './replay-series.js';
import { seriesDays } from './series-days.js';

const DAYS = seriesDays(true, 'America/New_York');

function day(
  date: string,
  close: number,
  extra: Partial<StoredBar> = {},
): StoredBar {
  return {
    time: Date.parse(date),
    date,
    open: close,
    high: close,
    low: close,
    close,
    volume: 100,
    complete: true,
    origin: 'a.csv',
    ...extra,
  };
}

function adjustedDay(date: string, close: number, origin = 'a.csv') {
  const adjusted = { open: close, high: close, low: close, close, volume: 1 };

  return day(date, close, { adjusted, origin });
}

function seriesOf(
  bars: StoredBar[],
  events: CorporateAction[] = [],
): ReplaySeries {
  return {
    instrument: parseSymbol('AAPL'),
    interval: '1d',
    bars,
    events,
    files: ['a.csv'],
  };
}

const SPLIT: CorporateAction = { date: '2024-06-05', type: 'split', ratio: 4 };
const RAW = [day('2024-06-04', 400), day('2024-06-05', 100)];
const REFLECTED = [day('2024-06-04', 100), day('2024-06-05', 101)];
const HALF = [day('2024-06-04', 200), day('2024-06-05', 100)];

function plan(bars: StoredBar[], adjusted: boolean, events = [SPLIT]) {
  return planAdjustment(
    seriesOf(bars, events),
    bars,
    '2024-06-04',
    adjusted,
    DAYS,
  );
}

describe('planAdjustment', () => {
  it('labels stored bars raw without splits', () => {
    expect(plan(RAW, false, [])).toEqual({
      basis: 'stored',
      adjustment: 'raw',
    });
  });

  it('labels a visible split raw', () => {
    expect(plan(RAW, false)).toEqual({ basis: 'stored', adjustment: 'raw' });
  });

  it('labels a reflected split split', () => {
    expect(plan(REFLECTED, false)).toEqual({
      basis: 'stored',
      adjustment: 'split',
    });
  });

  it('divides a visible split', () => {
    expect(plan(RAW, true)).toEqual({
      basis: 'stored+splits',
      adjustment: 'split',
    });
  });

  it('keeps reflected splits as stored', () => {
    expect(plan(REFLECTED, true)).toEqual({
      basis: 'stored',
      adjustment: 'split',
    });
  });

  it('stays raw without splits or columns', () => {
    expect(plan(RAW, true, [])).toEqual({ basis: 'stored', adjustment: 'raw' });
  });

  it('uses one file of adjusted prices', () => {
    const bars = [
      adjustedDay('2024-06-04', 400),
      adjustedDay('2024-06-05', 100),
    ];
    expect(plan(bars, true)).toEqual({
      basis: 'adjusted+splits',
      adjustment: 'split+dividend',
    });
  });

  it('leaves two adjusted files stored', () => {
    const bars = [
      adjustedDay('2024-06-04', 100),
      adjustedDay('2024-06-05', 101, 'b.csv'),
    ];
    expect(plan(bars, true)).toEqual({ basis: 'stored', adjustment: 'split' });
  });

  it('leaves an unclear split raw', () => {
    expect(plan(HALF, true)).toEqual({ basis: 'stored', adjustment: 'raw' });
  });

  it('ignores splits before the range', () => {
    const result = planAdjustment(
      seriesOf(RAW, [SPLIT]),
      RAW.slice(1),
      '2024-06-05',
      false,
      DAYS,
    );
    expect(result.adjustment).toBe('raw');
  });

  it('counts splits after the range', () => {
    const result = planAdjustment(
      seriesOf(REFLECTED, [SPLIT]),
      REFLECTED.slice(0, 1),
      '2024-06-04',
      false,
      DAYS,
    );
    expect(result.adjustment).toBe('split');
  });
});
