import { describe, expect, it } from 'vitest';
import { parseSymbol } from '../../market/symbol.js';
import type { HistoryQuery } from '../market-data-source.js';
import type { ChartCell, ChartResult } from './yahoo-chart.js';
import { buildHistory } from './yahoo-history.js';

/** Hourly AAPL rows on 2024-03-13 (EDT): 13:30Z, 14:30Z and 15:30Z starts. */
const HOURS = [1710336600, 1710340200, 1710343800];

function chart(closes: ChartCell[], timestamps: number[] = HOURS): ChartResult {
  return {
    meta: {
      symbol: 'AAPL',
      currency: 'USD',
      exchangeTimezoneName: 'America/New_York',
    },
    timestamp: timestamps,
    indicators: {
      quote: [
        {
          open: closes.map(() => 170),
          high: closes.map(() => 172),
          low: closes.map(() => 169),
          close: closes,
          volume: closes.map(() => 1000),
        },
      ],
    },
  };
}

const QUERY: HistoryQuery = {
  instrument: parseSymbol('AAPL'),
  interval: '1h',
  start: HOURS[0]! * 1000,
  end: Date.parse('2024-03-13T20:00:00Z'),
  limit: 100,
  adjusted: true,
};

describe('buildHistory intraday', () => {
  it('times bars by their start', () => {
    const { result } = buildHistory(chart([171, 171.5, 170.5]), QUERY, 0);
    expect(result.bars.map((bar) => bar.time)).toEqual(
      HOURS.map((seconds) => seconds * 1000),
    );
    expect(result.bars[0]?.date).toBeUndefined();
  });

  it('labels intraday bars split', () => {
    const { result } = buildHistory(chart([171, 171.5, 170.5]), QUERY, 0);
    expect(result.adjustment).toBe('split');
  });

  it('marks the forming bar incomplete', () => {
    const now = Date.parse('2024-03-13T16:00:00Z');
    const { result } = buildHistory(chart([171, 171.5, 170.5]), QUERY, now);
    expect(result.bars.map((bar) => bar.complete)).toEqual([true, true, false]);
  });

  it('drops text and null prices', () => {
    const { result, dropped } = buildHistory(
      chart([171, 'null', 'NaN']),
      QUERY,
      0,
    );
    expect(result.bars).toHaveLength(1);
    expect(dropped.missing).toBe(2);
  });

  it('keeps the later duplicate', () => {
    const first = HOURS[0]!;
    const { result, dropped } = buildHistory(
      chart([171, 175], [first, first]),
      QUERY,
      0,
    );
    expect(result.bars.map((bar) => bar.close)).toEqual([175]);
    expect(dropped.duplicate).toBe(1);
  });

  it('counts rows after the end', () => {
    const { dropped } = buildHistory(
      chart([171, 171.5, 170.5]),
      {
        ...QUERY,
        end: HOURS[1]! * 1000,
      },
      0,
    );
    expect(dropped.outside).toBe(1);
  });
});

describe('buildHistory weekly', () => {
  it('dates a week by its Monday', () => {
    const wednesday = Date.parse('2024-03-13T13:30:00Z') / 1000;
    const { result } = buildHistory(
      chart([171], [wednesday]),
      { ...QUERY, interval: '1wk', start: null, end: Date.parse('2024-03-15') },
      0,
    );
    expect(result.bars[0]?.date).toBe('2024-03-11');
  });
});
