import { describe, expect, it } from 'vitest';
import { detectInterval } from './interval-detection.js';

const utc = (iso: string) => Date.parse(iso);
const dates = (...isoDates: string[]) => isoDates.map((date) => utc(date));

describe('detectInterval', () => {
  it('finds daily bars across a weekend', () => {
    const week = dates('2024-03-07', '2024-03-08', '2024-03-11', '2024-03-12');
    expect(detectInterval(week, true)).toBe('1d');
  });

  it('finds weekly bars', () => {
    expect(
      detectInterval(dates('2024-03-04', '2024-03-11', '2024-03-18'), true),
    ).toBe('1wk');
  });

  it('finds month-end bars', () => {
    const monthEnds = dates('2024-01-31', '2024-02-29', '2024-03-31');
    expect(detectInterval(monthEnds, true)).toBe('1mo');
  });

  it('finds 15-minute bars despite gaps', () => {
    const times = [
      '2026-05-26T08:00:00Z',
      '2026-05-26T08:45:00Z',
      '2026-05-26T13:30:00Z',
      '2026-05-26T13:45:00Z',
      '2026-05-26T14:00:00Z',
      '2026-05-27T13:30:00Z',
      '2026-05-27T13:45:00Z',
    ].map(utc);
    expect(detectInterval(times, false)).toBe('15m');
  });

  it('finds one-minute klines', () => {
    const times = [0, 1, 2, 3].map((i) => 1637971200000 + i * 60_000);
    expect(detectInterval(times, false)).toBe('1m');
  });

  it('prefers the finer interval on a tie', () => {
    const times = [0, 30, 45].map((minute) => minute * 60_000);
    expect(detectInterval(times, false)).toBe('15m');
  });

  it('rejects two-hour spacing', () => {
    const times = [0, 1, 2].map((i) => i * 7_200_000);
    expect(detectInterval(times, false)).toBeNull();
  });

  it('rejects quarterly spacing', () => {
    expect(
      detectInterval(dates('2024-01-01', '2024-04-01', '2024-07-01'), true),
    ).toBeNull();
  });

  it('rejects a single bar', () => {
    expect(detectInterval(dates('2024-01-01'), true)).toBeNull();
  });
});
