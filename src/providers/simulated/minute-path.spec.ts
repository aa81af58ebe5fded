import { describe, expect, it } from 'vitest';
import {
  generateMinutePath,
  minuteBar,
  roundPrice,
  summarizeBars,
  summarizePath,
  summarizeSession,
  type MinutePathInput,
} from './minute-path.js';
import { SeededRandom } from './seeded-random.js';

function input(
  key: number,
  overrides: Partial<Omit<MinutePathInput, 'random'>> = {},
): MinutePathInput {
  return {
    start: Date.parse('2024-03-15T13:30:00Z'),
    minutes: 390,
    openLog: Math.log(190),
    closeLog: Math.log(192.5),
    dailyVolatility: 0.017,
    decimals: 2,
    sessionVolume: 55_000_000,
    volumeProfile: 'u-shaped',
    ...overrides,
    random: SeededRandom.of('minute-path', key),
  };
}

function sum(values: Iterable<number>): number {
  let total = 0;
  for (const value of values) total += value;

  return total;
}

describe('generateMinutePath', () => {
  const path = generateMinutePath(input(1));

  it('runs from the open to the close', () => {
    expect(path.open[0]).toBe(190);
    expect(path.close[389]).toBe(192.5);
  });

  it('opens each minute at the previous close', () => {
    for (let i = 1; i < 390; i += 1) {
      expect(path.open[i]).toBe(path.close[i - 1]);
    }
  });

  it('keeps open and close within high and low', () => {
    for (let i = 0; i < 390; i += 1) {
      const bar = minuteBar(path, i);
      expect(bar.high).toBeGreaterThanOrEqual(Math.max(bar.open, bar.close));
      expect(bar.low).toBeLessThanOrEqual(Math.min(bar.open, bar.close));
    }
  });

  it('rounds prices to the decimals', () => {
    for (const price of path.high) expect(roundPrice(price, 2)).toBe(price);
  });

  it('trades positive whole volumes', () => {
    for (const units of path.volume ?? []) {
      expect(Number.isInteger(units)).toBe(true);
      expect(units).toBeGreaterThan(0);
    }
  });

  it('trades about the session volume', () => {
    const total = sum(path.volume ?? []);
    expect(total / 55_000_000).toBeGreaterThan(0.9);
    expect(total / 55_000_000).toBeLessThan(1.1);
  });

  it('trades most near open and close', () => {
    const volume = path.volume ?? new Float64Array();
    const edges = sum(volume.subarray(0, 30)) + sum(volume.subarray(360));
    const midday = sum(volume.subarray(165, 225));
    expect(edges).toBeGreaterThan(2 * midday);
  });

  it('reports no volume without a session volume', () => {
    expect(
      generateMinutePath(input(1, { sessionVolume: null })).volume,
    ).toBeNull();
  });

  it('repeats a path for one key', () => {
    expect(generateMinutePath(input(1))).toEqual(path);
  });

  it('stamps minutes from the start', () => {
    expect(minuteBar(path, 2).time).toBe(Date.parse('2024-03-15T13:32:00Z'));
  });
});

describe('summarizeSession', () => {
  it.each([
    ['equity', {}],
    [
      'crypto',
      { minutes: 1440, dailyVolatility: 0.035, volumeProfile: 'flat' as const },
    ],
    [
      'forex',
      {
        minutes: 1440,
        dailyVolatility: 0.005,
        decimals: 5,
        openLog: 0.08,
        closeLog: 0.07,
        sessionVolume: null,
      },
    ],
    ['early close', { minutes: 210 }],
  ])('matches the full %s path', (_name, overrides) => {
    for (let key = 0; key < 50; key += 1) {
      const full = summarizePath(generateMinutePath(input(key, overrides)));
      expect(summarizeSession(input(key, overrides))).toEqual(full);
    }
  });
});

describe('summarizeBars', () => {
  it('merges bars like summarizePath', () => {
    const path = generateMinutePath(input(3));
    const bars = Array.from({ length: 390 }, (_, i) => minuteBar(path, i));
    expect(summarizeBars(bars)).toEqual(summarizePath(path));
  });

  it('rejects an empty list', () => {
    expect(() => summarizeBars([])).toThrow(RangeError);
  });
});

describe('roundPrice', () => {
  it('rounds to the given places', () => {
    expect(roundPrice(189.8351, 2)).toBe(189.84);
    expect(roundPrice(1.083456, 5)).toBe(1.08346);
  });
});
