import { describe, expect, it } from 'vitest';
import {
  DailyPath,
  EPOCH_DATE,
  LAST_DATE,
  TradingDates,
} from './daily-path.js';
import { CryptoHours, UsEquityHours } from './trading-hours.js';
import { buildUniverse, type SimulatedInstrument } from './universe.js';

const usHours = new UsEquityHours();
const universe = buildUniverse(42);

function usDates(): TradingDates {
  return new TradingDates((date) => usHours.isTradingDay(date));
}

function entry(symbol: string): SimulatedInstrument {
  const found = universe.get(symbol);
  if (!found) throw new Error(`${symbol} is missing from the universe`);

  return found;
}

function standardDeviation(values: readonly number[]): number {
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  const variance =
    values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length;

  return Math.sqrt(variance);
}

describe('TradingDates', () => {
  it('starts at the first trading day', () => {
    const dates = usDates();
    expect(dates.dateAt(0)).toBe('2000-01-03');
    expect(dates.ordinalOf('2000-01-03')).toBe(0);
    expect(dates.ordinalOf(EPOCH_DATE)).toBe(-1);
  });

  it('lists crypto dates from the epoch', () => {
    const crypto = new CryptoHours();
    const dates = new TradingDates(() => crypto.isTradingDay());
    expect(dates.dateAt(0)).toBe(EPOCH_DATE);
  });

  it('skips weekends and holidays', () => {
    expect(usDates().between('2024-12-20', '2024-12-27')).toEqual([
      '2024-12-20',
      '2024-12-23',
      '2024-12-24',
      '2024-12-26',
      '2024-12-27',
    ]);
  });

  it('finds the last date on or before', () => {
    const dates = usDates();
    expect(dates.onOrBefore('2024-03-17')).toBe('2024-03-15');
    expect(dates.onOrBefore('2024-03-15')).toBe('2024-03-15');
    expect(dates.onOrBefore('1999-12-31')).toBeNull();
  });

  it('gives the same ordinals in any order', () => {
    const forward = usDates();
    forward.ordinalOf('2010-01-04');
    const late = forward.ordinalOf('2024-03-15');
    expect(usDates().ordinalOf('2024-03-15')).toBe(late);
  });

  it('stops at the last date', () => {
    const dates = usDates();
    expect(dates.ordinalOf('2250-01-03')).toBe(-1);
    expect(dates.onOrBefore('2250-01-03')).toBe(dates.onOrBefore(LAST_DATE));
  });
});

describe('DailyPath', () => {
  const aapl = entry('AAPL');

  it('repeats closes for one seed', () => {
    const first = new DailyPath(aapl, 42, usDates());
    const second = new DailyPath(aapl, 42, usDates());
    expect(first.closeLog(5000)).toBe(second.closeLog(5000));
  });

  it('differs between seeds', () => {
    const first = new DailyPath(aapl, 42, usDates());
    const second = new DailyPath(aapl, 43, usDates());
    expect(first.closeLog(100)).not.toBe(second.closeLog(100));
  });

  it('does not depend on request order', () => {
    const dates = usDates();
    const late = new DailyPath(aapl, 42, dates).day('2024-03-15');
    const walked = new DailyPath(aapl, 42, dates);
    walked.day('2001-06-01');
    expect(walked.day('2024-03-15')).toEqual(late);
  });

  it.each(['AAPL', 'TSLA', '^GSPC', 'BTC-USD', 'EUR-USD'])(
    'moves %s by its daily volatility',
    (symbol) => {
      const spec = entry(symbol);
      const path = new DailyPath(spec, 42, new TradingDates(() => true));
      const returns = Array.from(
        { length: 4000 },
        (_, i) => path.closeLog(i + 1) - path.closeLog(i),
      );
      const ratio = standardDeviation(returns) / spec.dailyVolatility;
      expect(ratio).toBeGreaterThan(0.9);
      expect(ratio).toBeLessThan(1.1);
    },
  );

  it('keeps decades near the base price', () => {
    for (const spec of universe.values()) {
      const path = new DailyPath(spec, 7, new TradingDates(() => true));
      for (let ordinal = 0; ordinal < 10_000; ordinal += 250) {
        const ratio = Math.exp(path.closeLog(ordinal)) / spec.basePrice;
        expect(
          ratio,
          `${spec.instrument.symbol} day ${ordinal}`,
        ).toBeGreaterThan(0.1);
        expect(ratio, `${spec.instrument.symbol} day ${ordinal}`).toBeLessThan(
          10,
        );
      }
    }
  });

  it('opens crypto at the previous close', () => {
    const dates = new TradingDates(() => true);
    const path = new DailyPath(entry('BTC-USD'), 42, dates);
    const day = path.day('2024-03-17');
    const ordinal = dates.ordinalOf('2024-03-17');
    expect(day?.openLog).toBe(path.closeLog(ordinal - 1));
  });

  it('gaps equities overnight', () => {
    const dates = usDates();
    const path = new DailyPath(aapl, 42, dates);
    const day = path.day('2024-03-15');
    const ordinal = dates.ordinalOf('2024-03-15');
    expect(day?.openLog).not.toBe(path.closeLog(ordinal - 1));
    expect(day?.closeLog).toBe(path.closeLog(ordinal));
  });

  it('has no day on a holiday', () => {
    expect(new DailyPath(aapl, 42, usDates()).day('2024-12-25')).toBeNull();
  });

  it('averages a volume factor of one', () => {
    const path = new DailyPath(aapl, 42, new TradingDates(() => true));
    let total = 0;
    for (let i = 0; i < 5000; i += 1) {
      const date = new Date(Date.UTC(2000, 0, 1 + i))
        .toISOString()
        .slice(0, 10);
      total += path.day(date)?.volumeFactor ?? Number.NaN;
    }
    expect(total / 5000).toBeCloseTo(1, 1);
  });
});
