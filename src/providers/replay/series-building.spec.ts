import { describe, expect, it } from 'vitest';
import type { ParsedRow } from './csv-rows.js';
import { parseTimestamp } from './csv-timestamp.js';
import { buildSeries, type BuiltSeries } from './series-building.js';

function row(time: string, close: number, extra: Partial<ParsedRow> = {}) {
  const stamp = parseTimestamp(time, 'America/New_York');
  if (!stamp) throw new Error(`bad time ${time}`);

  return {
    stamp,
    open: close,
    high: close,
    low: close,
    close,
    volume: 100,
    dividend: null,
    split: null,
    ...extra,
  } satisfies ParsedRow;
}

function build(rows: ParsedRow[]): BuiltSeries {
  const built = buildSeries(rows);
  if (typeof built === 'string') throw new Error(built);

  return built;
}

describe('buildSeries', () => {
  it('sorts newest-first rows ascending', () => {
    const built = build([
      row('2024-03-13', 3),
      row('2024-03-12', 2),
      row('2024-03-11', 1),
    ]);
    expect(built.bars.map((bar) => bar.close)).toEqual([1, 2, 3]);
  });

  it('dates daily bars at midnight UTC', () => {
    const [bar] = build([
      row('2023-04-14 00:00:00+09:00', 1),
      row('2023-04-13 00:00:00+09:00', 1),
    ]).bars;
    expect(bar?.date).toBe('2023-04-13');
    expect(bar?.time).toBe(Date.parse('2023-04-13T00:00:00Z'));
  });

  it('times intraday bars by instant', () => {
    const built = build([
      row('2026-05-26 09:30:00-04:00', 1),
      row('2026-05-26 09:45:00-04:00', 2),
    ]);
    expect(built.interval).toBe('15m');
    expect(built.bars[0]?.time).toBe(Date.parse('2026-05-26T13:30:00Z'));
    expect(built.bars[0]).not.toHaveProperty('date');
  });

  it('keeps month-end dates as written', () => {
    const built = build([
      row('2024-01-31', 1),
      row('2024-02-29', 2),
      row('2024-03-31', 3),
    ]);
    expect(built.interval).toBe('1mo');
    expect(built.bars.map((bar) => bar.date)).toEqual([
      '2024-01-31',
      '2024-02-29',
      '2024-03-31',
    ]);
  });

  it('finds weekly bars dated Friday', () => {
    const built = build([
      row('2024-03-08', 1),
      row('2024-03-15', 2),
      row('2024-03-22', 3),
    ]);
    expect(built.interval).toBe('1wk');
    expect(built.bars[0]?.date).toBe('2024-03-08');
  });

  it('keeps the first duplicate', () => {
    const built = build([
      row('2024-03-11', 1),
      row('2024-03-11', 9),
      row('2024-03-12', 2),
    ]);
    expect(built.bars.map((bar) => bar.close)).toEqual([1, 2]);
    expect(built.duplicates).toBe(1);
  });

  it('lists the skipped duplicate', () => {
    const built = build([
      row('2024-03-11', 1),
      row('2024-03-11', 9),
      row('2024-03-12', 2),
    ]);
    expect(built.skipped).toEqual([
      { index: 1, reason: 'an earlier row has the same time' },
    ]);
  });

  it('drops minority date-only rows', () => {
    const built = build([
      row('2026-05-26 09:30:00-04:00', 1),
      row('2026-05-26', 5),
      row('2026-05-26 09:45:00-04:00', 2),
    ]);
    expect(built.interval).toBe('15m');
    expect(built.bars.map((bar) => bar.close)).toEqual([1, 2]);
    expect(built.skipped).toEqual([
      { index: 1, reason: 'a date without a time of day among intraday rows' },
    ]);
  });

  it('drops minority intraday rows', () => {
    const built = build([
      row('2024-03-11', 1),
      row('2024-03-12 10:00:00-04:00', 5),
      row('2024-03-12', 2),
    ]);
    expect(built.interval).toBe('1d');
    expect(built.bars.map((bar) => bar.close)).toEqual([1, 2]);
    expect(built.skipped).toEqual([
      { index: 1, reason: 'a time of day among date-only rows' },
    ]);
  });

  it('keeps date-only rows on a tie', () => {
    const built = build([
      row('2024-03-11', 1),
      row('2024-03-12', 2),
      row('2024-03-12 10:00:00-04:00', 5),
      row('2024-03-12 10:15:00-04:00', 6),
    ]);
    expect(built.interval).toBe('1d');
    expect(built.skipped.map((skipped) => skipped.index)).toEqual([2, 3]);
  });

  it('collects splits and dividends', () => {
    const built = build([
      row('2014-06-06', 645.57),
      row('2014-06-09', 93.7, { split: 7, dividend: 0.47 }),
    ]);
    expect(built.events).toEqual([
      { date: '2014-06-09', type: 'split', ratio: 7 },
      { date: '2014-06-09', type: 'dividend', amount: 0.47 },
    ]);
  });

  it('explains too few rows', () => {
    expect(buildSeries([row('2024-03-11', 1)])).toContain('too few');
  });

  it('explains unknown spacing', () => {
    expect(
      buildSeries([row('2024-03-11 10:00', 1), row('2024-03-11 12:00', 1)]),
    ).toContain('matches none');
  });
});
