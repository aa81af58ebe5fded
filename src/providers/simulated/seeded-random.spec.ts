import { describe, expect, it } from 'vitest';
import { hashKey, mix32, SeededRandom } from './seeded-random.js';

function draw(random: SeededRandom, count: number): number[] {
  return Array.from({ length: count }, () => random.uniform());
}

describe('hashKey', () => {
  it('returns the same hash for equal parts', () => {
    expect(hashKey(42, 'AAPL', '2024-03-15')).toBe(
      hashKey(42, 'AAPL', '2024-03-15'),
    );
  });

  it('separates part boundaries', () => {
    expect(hashKey('ab', 'c')).not.toBe(hashKey('a', 'bc'));
  });

  it('changes with any part', () => {
    const base = hashKey(42, 'AAPL', '2024-03-15');
    expect(hashKey(43, 'AAPL', '2024-03-15')).not.toBe(base);
    expect(hashKey(42, 'MSFT', '2024-03-15')).not.toBe(base);
    expect(hashKey(42, 'AAPL', '2024-03-14')).not.toBe(base);
  });

  it('returns unsigned 32-bit integers', () => {
    for (let i = 0; i < 1000; i += 1) {
      const hash = hashKey('key', i);
      expect(Number.isInteger(hash)).toBe(true);
      expect(hash).toBeGreaterThanOrEqual(0);
      expect(hash).toBeLessThan(2 ** 32);
    }
  });
});

describe('mix32', () => {
  it('spreads consecutive inputs apart', () => {
    const outputs = new Set<number>();
    for (let i = 0; i < 10_000; i += 1) outputs.add(mix32(i) >>> 20);
    // Uniform outputs fill 4,096 * (1 - e^(-10000/4096)), about 3,736, of
    // the top-12-bit buckets; consecutive unmixed inputs would fill one.
    expect(outputs.size).toBeGreaterThan(3600);
    expect(outputs.size).toBeLessThan(3870);
  });
});

describe('SeededRandom', () => {
  it('repeats a stream for one key', () => {
    expect(draw(SeededRandom.of(7, 'BTC-USD'), 50)).toEqual(
      draw(SeededRandom.of(7, 'BTC-USD'), 50),
    );
  });

  it('differs between keys', () => {
    expect(draw(SeededRandom.of(7, 'BTC-USD'), 50)).not.toEqual(
      draw(SeededRandom.of(8, 'BTC-USD'), 50),
    );
  });

  it('draws uniforms inside the open unit interval', () => {
    const values = draw(SeededRandom.of('uniform'), 100_000);
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    expect(Math.min(...values)).toBeGreaterThan(0);
    expect(Math.max(...values)).toBeLessThan(1);
    expect(mean).toBeCloseTo(0.5, 2);
  });

  it('draws standard normals', () => {
    const random = SeededRandom.of('normal');
    const values = Array.from({ length: 100_000 }, () => random.normal());
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    const variance =
      values.reduce((sum, value) => sum + (value - mean) ** 2, 0) /
      values.length;
    const beyondTwo = values.filter((value) => Math.abs(value) > 2).length;
    expect(mean).toBeCloseTo(0, 2);
    expect(variance).toBeCloseTo(1, 1);
    // About 4.55% of a standard normal lies beyond two deviations.
    expect(beyondTwo / values.length).toBeCloseTo(0.0455, 2);
  });
});
