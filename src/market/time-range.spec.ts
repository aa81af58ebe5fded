import { describe, expect, it } from 'vitest';
import { parseTimeBound, resolveBound } from './time-range.js';

describe('parseTimeBound', () => {
  it.each([
    ['2024-03-15', { kind: 'date', date: '2024-03-15' }],
    [
      '2024-03-15T14:30:00Z',
      { kind: 'instant', ms: Date.parse('2024-03-15T14:30:00Z') },
    ],
    [
      '2024-03-15T10:30:00-04:00',
      { kind: 'instant', ms: Date.parse('2024-03-15T14:30:00Z') },
    ],
    [
      '2024-03-15 14:30',
      { kind: 'instant', ms: Date.parse('2024-03-15T14:30:00Z') },
    ],
    [
      '2024-03-15T14:30:00.123Z',
      { kind: 'instant', ms: Date.parse('2024-03-15T14:30:00.123Z') },
    ],
  ])('reads %s', (text, expected) => {
    expect(parseTimeBound(text)).toEqual(expected);
  });

  it.each([
    '2024-13-01',
    '2024-02-30',
    'yesterday',
    '15/03/2024',
    '1710513000',
    '2024-03-15T25:00Z',
    '2024-01-01T00:00:00+25:00',
    '2024-01-01T00:00:00+05:75',
    '',
  ])('rejects %j', (text) => {
    expect(parseTimeBound(text)).toBeNull();
  });
});

describe('resolveBound', () => {
  const zone = { symbol: 'AAPL', assetClass: 'equity' } as const;

  it('keys daily dates by midnight UTC', () => {
    const bound = { kind: 'date', date: '2024-03-15' } as const;
    expect(resolveBound(bound, 'to', '1d', zone)).toBe(
      Date.parse('2024-03-15T00:00:00Z'),
    );
  });

  it('dates daily instants in the exchange zone', () => {
    const lateEvening = {
      kind: 'instant',
      ms: Date.parse('2024-03-16T02:00:00Z'),
    } as const;
    expect(resolveBound(lateEvening, 'from', '1d', zone)).toBe(
      Date.parse('2024-03-15T00:00:00Z'),
    );
  });

  it('dates forex instants after the rollover as the next day', () => {
    const pair = {
      symbol: 'EUR-USD',
      assetClass: 'forex',
      base: 'EUR',
      quote: 'USD',
    } as const;
    const evening = {
      kind: 'instant',
      ms: Date.parse('2024-03-13T22:00:00Z'),
    } as const;
    expect(resolveBound(evening, 'to', '1d', pair)).toBe(
      Date.parse('2024-03-14T00:00:00Z'),
    );
  });

  it('includes the whole day for intraday to dates', () => {
    const bound = { kind: 'date', date: '2024-03-15' } as const;
    expect(resolveBound(bound, 'to', '5m', zone)).toBe(
      Date.parse('2024-03-16T03:59:59.999Z'),
    );
    expect(resolveBound(bound, 'from', '5m', zone)).toBe(
      Date.parse('2024-03-15T04:00:00Z'),
    );
  });
});
