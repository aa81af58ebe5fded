import { describe, expect, it } from 'vitest';
import { impossibleValue, type RowValues } from './row-checks.js';

const plausible: RowValues = {
  open: 100,
  high: 102,
  low: 99,
  close: 101,
  volume: 1000,
};

describe('impossibleValue', () => {
  it('accepts a plausible row', () => {
    expect(impossibleValue(plausible)).toBeNull();
  });

  it('accepts a missing volume', () => {
    expect(impossibleValue({ ...plausible, volume: null })).toBeNull();
  });

  it('accepts a zero volume', () => {
    expect(impossibleValue({ ...plausible, volume: 0 })).toBeNull();
  });

  it('accepts a float artefact', () => {
    expect(
      impossibleValue({ ...plausible, close: 102.00000000000001 }),
    ).toBeNull();
  });

  it('accepts a close within the tolerance', () => {
    expect(impossibleValue({ ...plausible, close: 102.01 })).toBeNull();
  });

  it.each<[string, Partial<RowValues>, string]>([
    ['infinite high', { high: Infinity }, 'the high is not a finite number'],
    ['NaN open', { open: NaN }, 'the open is not a finite number'],
    ['zero low', { low: 0 }, 'the low is not above zero'],
    ['negative close', { close: -1 }, 'the close is not above zero'],
    [
      'high below low',
      { high: 98, open: 98, close: 98 },
      'the high is below the low',
    ],
    ['open above high', { open: 103 }, 'the open is outside low..high'],
    ['close below low', { close: 98.9 }, 'the close is outside low..high'],
    [
      'negative volume',
      { volume: -5 },
      'the volume is negative or not a finite number',
    ],
    [
      'infinite volume',
      { volume: Infinity },
      'the volume is negative or not a finite number',
    ],
  ])('rejects %s', (_name, change, reason) => {
    expect(impossibleValue({ ...plausible, ...change })).toBe(reason);
  });
});
