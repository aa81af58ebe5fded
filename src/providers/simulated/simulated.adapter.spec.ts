import type { LoggerService } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import {
  DataNotAvailableError,
  SymbolNotFoundError,
} from '../../common/api.errors.js';
import type { Bar } from '../../market/bar.js';
import { aggregateBars } from '../../market/bar-aggregation.js';
import type { Interval } from '../../market/interval.js';
import { parseSymbol } from '../../market/symbol.js';
import { CAPABILITIES } from '../market-data-source.js';
import { SimulatedSource } from './simulated.adapter.js';

const at = (iso: string) => Date.parse(iso);
const day = (date: string) => at(`${date}T00:00:00Z`);
/** Friday 2024-03-15, 14:30:17 in New York, while US markets are open. */
const NOW = at('2024-03-15T18:30:17Z');

const silentLogger: LoggerService = { log() {}, warn() {}, error() {} };

function sourceAt(now: number, seed = 42, symbols?: string[]) {
  return new SimulatedSource({
    seed,
    symbols,
    now: () => now,
    logger: silentLogger,
  });
}

async function bars(
  source: SimulatedSource,
  symbol: string,
  interval: Interval,
  start: number | null,
  end: number,
  limit = 100_000,
): Promise<Bar[]> {
  const result = await source.getHistory({
    instrument: parseSymbol(symbol),
    interval,
    start,
    end,
    limit,
    adjusted: false,
  });

  return result.bars;
}

/**
 * Merges minute bars into the daily bar of one trading date. Forex days roll
 * over at 17:00 New York time rather than at midnight, so the minutes are
 * labelled with their trading date instead of being bucketed by clock.
 */
function mergeDay(minutes: Bar[], date: string, now: number): Bar[] {
  return aggregateBars(
    minutes.map((bar) => ({ ...bar, date })),
    '1d',
    { timeZone: 'UTC', dataEnd: now },
  );
}

describe('SimulatedSource determinism', () => {
  it('agrees across instances with one seed', async () => {
    const first = sourceAt(NOW);
    const second = sourceAt(NOW);
    const start = day('2023-01-01');
    expect(await bars(first, 'AAPL', '1d', start, NOW)).toEqual(
      await bars(second, 'AAPL', '1d', start, NOW),
    );
    expect(await bars(first, 'BTC-USD', '1m', NOW - 3_600_000, NOW)).toEqual(
      await bars(second, 'BTC-USD', '1m', NOW - 3_600_000, NOW),
    );
    expect(await first.getQuote(parseSymbol('EUR-USD'))).toEqual(
      await second.getQuote(parseSymbol('EUR-USD')),
    );
  });

  it('differs for another seed', async () => {
    const start = day('2024-03-01');
    expect(await bars(sourceAt(NOW, 42), 'AAPL', '1d', start, NOW)).not.toEqual(
      await bars(sourceAt(NOW, 43), 'AAPL', '1d', start, NOW),
    );
  });

  it('ignores what was asked before', async () => {
    const fresh = sourceAt(NOW);
    const used = sourceAt(NOW);
    await bars(used, 'MSFT', '1d', day('2001-01-01'), day('2001-12-31'));
    await bars(used, 'MSFT', '1m', at('2024-03-14T13:30:00Z'), NOW);
    expect(
      await bars(used, 'MSFT', '1h', at('2024-03-13T00:00:00Z'), NOW),
    ).toEqual(await bars(fresh, 'MSFT', '1h', at('2024-03-13T00:00:00Z'), NOW));
  });

  it('agrees later in time', async () => {
    const earlier = await bars(
      sourceAt(NOW),
      'AAPL',
      '1d',
      day('2024-03-01'),
      day('2024-03-14'),
    );
    const later = await bars(
      sourceAt(at('2024-06-01T00:00:00Z')),
      'AAPL',
      '1d',
      day('2024-03-01'),
      day('2024-03-14'),
    );
    expect(later).toEqual(earlier);
  });
});

describe('SimulatedSource consistency', () => {
  const source = sourceAt(NOW);
  // Hours added to an instant before reading its date in the zone: forex
  // trading days roll over at 17:00 New York time, seven hours before
  // midnight.
  const cases = [
    ['AAPL', '2024-03-13', 'America/New_York', 0],
    ['AAPL', '2023-11-24', 'America/New_York', 0],
    ['^GSPC', '2024-03-14', 'America/New_York', 0],
    ['BTC-USD', '2024-03-10', 'UTC', 0],
    ['EUR-USD', '2024-03-12', 'America/New_York', 7],
    ['USD-JPY', '2024-03-11', 'America/New_York', 7],
  ] as const;

  it.each(cases)(
    'merges %s minutes into the %s bar',
    async (symbol, date, zone, rolloverHours) => {
      const [daily] = await bars(source, symbol, '1d', day(date), day(date));
      const minutes = await bars(
        source,
        symbol,
        '1m',
        day(date) - 86_400_000,
        day(date) + 2 * 86_400_000,
      );
      const ofDay = minutes.filter(
        (bar) => localDate(bar.time + rolloverHours * 3_600_000, zone) === date,
      );
      expect(ofDay.length).toBeGreaterThan(0);
      expect(mergeDay(ofDay, date, NOW)).toEqual([daily]);
    },
  );

  it.each(['AAPL', 'BTC-USD', 'EUR-USD'])(
    'merges %s minutes into hours',
    async (symbol) => {
      const start = at('2024-03-14T00:00:00Z');
      const minutes = await bars(source, symbol, '1m', start, NOW);
      const options = { timeZone: 'UTC', dataEnd: NOW };
      for (const interval of ['5m', '15m', '30m', '1h'] as const) {
        expect(
          await bars(source, symbol, interval, start, NOW),
          interval,
        ).toEqual(aggregateBars(minutes, interval, options));
      }
    },
  );

  it.each([
    ['AAPL', 'America/New_York'],
    ['^DJI', 'America/New_York'],
    ['ETH-USD', 'UTC'],
    ['GBP-USD', 'America/New_York'],
  ])('merges %s days into weeks and months', async (symbol, timeZone) => {
    const start = day('2023-01-02');
    const daily = await bars(source, symbol, '1d', start, NOW);
    const weekly = await bars(source, symbol, '1wk', start, NOW);
    const monthly = await bars(source, symbol, '1mo', start, NOW);
    const options = { timeZone, dataEnd: NOW, isTradingDay: () => true };
    // Bars are kept when their own start is in the range, which drops the
    // month that began on 2023-01-01.
    const merged = (interval: '1wk' | '1mo') =>
      aggregateBars(daily, interval, options)
        .filter((bar) => bar.time >= start)
        .map(withoutComplete);
    expect(weekly.map(withoutComplete)).toEqual(merged('1wk'));
    expect(monthly.map(withoutComplete)).toEqual(merged('1mo'));
  });
});

function localDate(ms: number, timeZone: string): string {
  return new Date(ms).toLocaleDateString('en-CA', { timeZone });
}

function withoutComplete(bar: Bar): Omit<Bar, 'complete'> {
  const { complete: _complete, ...rest } = bar;

  return rest;
}

describe('SimulatedSource calendar', () => {
  const source = sourceAt(NOW);

  it('skips equity holidays and weekends', async () => {
    const dates = (
      await bars(source, 'AAPL', '1d', day('2023-12-22'), day('2023-12-27'))
    ).map((bar) => bar.date);
    expect(dates).toEqual(['2023-12-22', '2023-12-26', '2023-12-27']);
  });

  it('has no equity minutes on a holiday', async () => {
    expect(
      await bars(
        source,
        'AAPL',
        '1m',
        at('2023-12-25T00:00:00Z'),
        at('2023-12-25T23:59:00Z'),
      ),
    ).toEqual([]);
  });

  it('has no equity minutes on Saturday', async () => {
    expect(
      await bars(
        source,
        'MSFT',
        '1m',
        at('2024-03-16T00:00:00Z'),
        at('2024-03-16T23:59:00Z'),
      ),
    ).toEqual([]);
  });

  it('trades the regular session', async () => {
    const minutes = await bars(
      source,
      'AAPL',
      '1m',
      at('2024-03-14T00:00:00Z'),
      at('2024-03-14T23:59:00Z'),
    );
    expect(minutes).toHaveLength(390);
    expect(minutes[0]?.time).toBe(at('2024-03-14T13:30:00Z'));
    expect(minutes.at(-1)?.time).toBe(at('2024-03-14T19:59:00Z'));
  });

  it('ends early closes at 13:00', async () => {
    const minutes = await bars(
      source,
      'AAPL',
      '1m',
      at('2023-11-24T00:00:00Z'),
      at('2023-11-24T23:59:00Z'),
    );
    expect(minutes).toHaveLength(210);
    expect(minutes.at(-1)?.time).toBe(at('2023-11-24T17:59:00Z'));
  });

  it('trades crypto on Sunday', async () => {
    const minutes = await bars(
      source,
      'BTC-USD',
      '1m',
      at('2024-03-10T00:00:00Z'),
      at('2024-03-10T23:59:00Z'),
    );
    expect(minutes).toHaveLength(1440);
    const [sunday] = await bars(
      source,
      'BTC-USD',
      '1d',
      day('2024-03-10'),
      day('2024-03-10'),
    );
    expect(sunday?.date).toBe('2024-03-10');
  });

  it('opens forex on Sunday evening', async () => {
    const minutes = await bars(
      source,
      'EUR-USD',
      '1m',
      at('2024-03-09T00:00:00Z'),
      at('2024-03-10T21:04:00Z'),
    );
    expect(minutes.map((bar) => bar.time)).toEqual(
      [0, 1, 2, 3, 4].map((i) => at('2024-03-10T21:00:00Z') + i * 60_000),
    );
  });

  it('reports no volume for indices and forex', async () => {
    const [index] = await bars(
      source,
      '^IXIC',
      '1d',
      day('2024-03-14'),
      day('2024-03-14'),
    );
    const [pair] = await bars(
      source,
      'EUR-USD',
      '1d',
      day('2024-03-14'),
      day('2024-03-14'),
    );
    const [stock] = await bars(
      source,
      'AAPL',
      '1d',
      day('2024-03-14'),
      day('2024-03-14'),
    );
    expect(index?.volume).toBeNull();
    expect(pair?.volume).toBeNull();
    expect(stock?.volume).toBeGreaterThan(0);
  });

  it('dates daily bars at midnight UTC', async () => {
    const daily = await bars(
      source,
      'AAPL',
      '1d',
      day('2024-03-11'),
      day('2024-03-15'),
    );
    for (const bar of daily) expect(bar.time).toBe(day(bar.date ?? ''));
  });
});

describe('SimulatedSource forming bar', () => {
  const source = sourceAt(NOW);

  it('marks only the current minute incomplete', async () => {
    const minutes = await bars(
      source,
      'AAPL',
      '1m',
      at('2024-03-15T13:30:00Z'),
      at('2024-03-15T23:00:00Z'),
    );
    expect(minutes).toHaveLength(301);
    expect(minutes.at(-1)?.time).toBe(at('2024-03-15T18:30:00Z'));
    expect(minutes.at(-1)?.complete).toBe(false);
    expect(minutes.slice(0, -1).every((bar) => bar.complete)).toBe(true);
  });

  it('builds today from minutes so far', async () => {
    const [today] = await bars(
      source,
      'AAPL',
      '1d',
      day('2024-03-15'),
      day('2024-03-15'),
    );
    const minutes = await bars(
      source,
      'AAPL',
      '1m',
      at('2024-03-15T13:30:00Z'),
      NOW,
    );
    expect(today?.complete).toBe(false);
    expect(mergeDay(minutes, '2024-03-15', NOW)).toEqual([today]);
  });

  it('moves inside the current minute', async () => {
    const minuteStart = at('2024-03-15T18:30:00Z');
    const later = sourceAt(NOW + 20_000);
    const [now] = await bars(source, 'AAPL', '1m', minuteStart, NOW);
    const [soon] = await bars(later, 'AAPL', '1m', minuteStart, NOW + 20_000);
    expect(now?.time).toBe(minuteStart);
    expect(soon?.time).toBe(minuteStart);
    expect(soon?.volume).toBeGreaterThan(now?.volume ?? 0);
    expect(soon?.complete).toBe(false);
  });

  it('serves no future bars', async () => {
    const future = at('2024-03-22T00:00:00Z');
    const daily = await bars(source, 'AAPL', '1d', day('2024-03-11'), future);
    const minutes = await bars(source, 'BTC-USD', '1m', NOW - 600_000, future);
    expect(daily.at(-1)?.date).toBe('2024-03-15');
    expect(minutes.at(-1)?.time).toBeLessThanOrEqual(NOW);
  });

  it('completes the day at the close', async () => {
    const closed = sourceAt(at('2024-03-15T20:00:00Z'));
    const [friday] = await bars(
      closed,
      'AAPL',
      '1d',
      day('2024-03-15'),
      day('2024-03-15'),
    );
    expect(friday?.complete).toBe(true);
  });

  it('keeps the current week incomplete', async () => {
    const weeks = await bars(source, 'AAPL', '1wk', null, NOW, 2);
    expect(weeks.map((bar) => bar.complete)).toEqual([true, false]);
  });
});

describe('SimulatedSource history ranges', () => {
  const source = sourceAt(NOW);

  it('returns the latest bars up to the limit', async () => {
    const daily = await bars(source, 'AAPL', '1d', null, NOW, 5);
    expect(daily.map((bar) => bar.date)).toEqual([
      '2024-03-11',
      '2024-03-12',
      '2024-03-13',
      '2024-03-14',
      '2024-03-15',
    ]);
  });

  it('limits intraday bars from the end', async () => {
    const hours = await bars(source, 'BTC-USD', '1h', null, NOW, 30);
    expect(hours).toHaveLength(30);
    expect(hours.at(-1)?.time).toBe(at('2024-03-15T18:00:00Z'));
  });

  it('limits weeks and months from the end', async () => {
    expect(await bars(source, 'AAPL', '1wk', null, NOW, 3)).toHaveLength(3);
    expect(await bars(source, 'AAPL', '1mo', null, NOW, 4)).toHaveLength(4);
  });

  it('starts at the epoch', async () => {
    const daily = await bars(
      source,
      'AAPL',
      '1d',
      day('1999-06-01'),
      day('2000-01-07'),
    );
    expect(daily[0]?.date).toBe('2000-01-03');
  });

  it('rejects ranges before the epoch', async () => {
    await expect(
      bars(source, 'AAPL', '1d', day('1999-01-01'), day('1999-12-31')),
    ).rejects.toThrow(DataNotAvailableError);
  });

  it('rejects minute spans over 60 days', async () => {
    const start = NOW - 61 * 86_400_000;
    await expect(bars(source, 'AAPL', '1m', start, NOW)).rejects.toThrow(
      /limited to 60 days/,
    );
  });

  it('serves minute spans of 60 days', async () => {
    const start = NOW - 60 * 86_400_000;
    expect(
      (await bars(source, 'AAPL', '1m', start, NOW)).length,
    ).toBeGreaterThan(0);
  });

  it('serves twenty years of daily bars', async () => {
    const daily = await bars(source, 'KO', '1d', day('2004-01-01'), NOW);
    expect(daily.length).toBeGreaterThan(5000);
  });

  it('describes the history result', async () => {
    const result = await source.getHistory({
      instrument: parseSymbol('BTC-USD'),
      interval: '1d',
      start: null,
      end: NOW,
      limit: 1,
      adjusted: true,
    });
    expect(result.adjustment).toBe('raw');
    expect(result.events).toEqual([]);
    expect(result.timeZone).toBe('UTC');
    expect(result.asOf).toBe(NOW);
  });
});

describe('SimulatedSource quote', () => {
  it('matches the forming bars', async () => {
    const source = sourceAt(NOW);
    const quote = await source.getQuote(parseSymbol('AAPL'));
    const [yesterday, today] = await bars(source, 'AAPL', '1d', null, NOW, 2);
    const [minute] = await bars(source, 'AAPL', '1m', null, NOW, 1);
    expect(quote.price).toBe(minute?.close);
    expect(quote.open).toBe(today?.open);
    expect(quote.high).toBe(today?.high);
    expect(quote.low).toBe(today?.low);
    expect(quote.volume).toBe(today?.volume);
    expect(quote.previousClose).toBe(yesterday?.close);
    expect(quote.change).toBeCloseTo(quote.price - (yesterday?.close ?? 0), 6);
    expect(quote.changePercent).toBeCloseTo(
      (100 * (quote.change ?? 0)) / (yesterday?.close ?? 1),
      2,
    );
  });

  it('describes the quote', async () => {
    const quote = await sourceAt(NOW).getQuote(parseSymbol('AAPL'));
    expect(quote).toMatchObject({
      symbol: 'AAPL',
      assetClass: 'equity',
      currency: 'USD',
      exchange: 'XNAS',
      session: 'regular',
      asOf: NOW,
      source: 'simulated',
      stale: false,
      delayed: 0,
    });
    expect(quote.bid).toBeLessThan(quote.price);
    expect(quote.ask).toBeGreaterThan(quote.price);
  });

  it('holds the last close on Saturday', async () => {
    const saturday = sourceAt(at('2024-03-16T15:00:00Z'));
    const quote = await saturday.getQuote(parseSymbol('AAPL'));
    const [friday] = await bars(
      saturday,
      'AAPL',
      '1d',
      day('2024-03-15'),
      day('2024-03-15'),
    );
    expect(quote.price).toBe(friday?.close);
    expect(quote.session).toBe('closed');
    expect(quote.asOf).toBe(at('2024-03-15T20:00:00Z'));
  });

  it('reports pre-market before the open', async () => {
    const early = sourceAt(at('2024-03-15T12:00:00Z'));
    const quote = await early.getQuote(parseSymbol('AAPL'));
    const [thursday] = await bars(
      early,
      'AAPL',
      '1d',
      day('2024-03-14'),
      day('2024-03-14'),
    );
    expect(quote.session).toBe('pre-market');
    expect(quote.price).toBe(thursday?.close);
  });

  it('trades crypto on Sunday', async () => {
    const quote = await sourceAt(at('2024-03-17T12:00:00Z')).getQuote(
      parseSymbol('BTC-USD'),
    );
    expect(quote.session).toBe('regular');
    expect(quote.asOf).toBe(at('2024-03-17T12:00:00Z'));
  });

  it('closes forex on Saturday', async () => {
    const quote = await sourceAt(at('2024-03-16T15:00:00Z')).getQuote(
      parseSymbol('EUR-USD'),
    );
    expect(quote.session).toBe('closed');
    expect(quote.asOf).toBe(at('2024-03-15T21:00:00Z'));
  });

  it('gives indices no bid or ask', async () => {
    const quote = await sourceAt(NOW).getQuote(parseSymbol('^GSPC'));
    expect(quote.bid).toBeNull();
    expect(quote.ask).toBeNull();
    expect(quote.volume).toBeNull();
  });

  it('rejects a clock before the epoch', async () => {
    const source = sourceAt(at('1999-06-01T15:00:00Z'));
    await expect(source.getQuote(parseSymbol('AAPL'))).rejects.toThrow(
      DataNotAvailableError,
    );
  });
});

describe('SimulatedSource universe', () => {
  it('replaces the universe with symbols', async () => {
    const source = sourceAt(NOW, 42, ['AAPL', 'XYZ']);
    expect(source.status().info).toEqual({ seed: 42, instruments: 2 });
    expect((await source.getQuote(parseSymbol('XYZ'))).price).toBeGreaterThan(
      0,
    );
    await expect(source.getQuote(parseSymbol('MSFT'))).rejects.toThrow(
      SymbolNotFoundError,
    );
  });

  it('keeps listed prices in a custom universe', async () => {
    const full = await sourceAt(NOW).getQuote(parseSymbol('AAPL'));
    const custom = await sourceAt(NOW, 42, ['AAPL']).getQuote(
      parseSymbol('AAPL'),
    );
    expect(custom).toEqual(full);
  });

  it.each(['getQuote', 'getProfile'] as const)(
    'rejects unknown symbols in %s',
    async (method) => {
      await expect(sourceAt(NOW)[method](parseSymbol('NOPE'))).rejects.toThrow(
        SymbolNotFoundError,
      );
    },
  );

  it('rejects unknown symbols in history', async () => {
    await expect(bars(sourceAt(NOW), 'NOPE', '1d', null, NOW)).rejects.toThrow(
      SymbolNotFoundError,
    );
  });

  it('rejects a non-finite seed', () => {
    expect(() => sourceAt(NOW, Number.NaN)).toThrow(RangeError);
  });
});

describe('SimulatedSource profile and search', () => {
  const source = sourceAt(NOW);

  it('profiles a pair', async () => {
    const profile = await source.getProfile(parseSymbol('USD-JPY'));
    expect(profile).toMatchObject({
      symbol: 'USD-JPY',
      assetClass: 'forex',
      base: 'USD',
      quote: 'JPY',
      currency: 'JPY',
      timeZone: 'America/New_York',
      source: 'simulated',
      stale: false,
    });
  });

  it('profiles a stock', async () => {
    const profile = await source.getProfile(parseSymbol('JPM'));
    expect(profile.name).toBe('JPMorgan Chase & Co.');
    expect(profile.exchange).toBe('XNYS');
    expect(profile.sector).toBe('Financials');
    expect(profile.country).toBe('US');
  });

  it('searches symbols before names', async () => {
    const matches = await source.search('me', 10);
    expect(matches.map((match) => match.symbol)).toEqual(['META', 'HD']);
  });

  it('reports status and capabilities', () => {
    expect(source.status()).toMatchObject({
      state: 'up',
      info: { seed: 42, instruments: 25 },
    });
    expect([...source.capabilities]).toEqual([...CAPABILITIES]);
    expect(source.kind).toBe('embedded');
    expect(source.id).toBe('simulated');
  });
});
