import { describe, expect, it } from 'vitest';
import { UsEquityCalendar } from './exchange-calendar.js';

const calendar = new UsEquityCalendar();
const at = (iso: string) => Date.parse(iso);

describe('UsEquityCalendar holidays', () => {
  it.each([
    ['2024-01-01', "New Year's Day"],
    ['2024-01-15', 'Martin Luther King Jr. Day'],
    ['2024-02-19', "Washington's Birthday"],
    ['2024-03-29', 'Good Friday'],
    ['2024-05-27', 'Memorial Day'],
    ['2024-06-19', 'Juneteenth'],
    ['2024-07-04', 'Independence Day'],
    ['2024-09-02', 'Labor Day'],
    ['2024-11-28', 'Thanksgiving Day'],
    ['2024-12-25', 'Christmas Day'],
    ['2025-01-09', 'Day of mourning for Jimmy Carter'],
    ['2026-04-03', 'Good Friday'],
    ['2026-07-03', 'Independence Day'],
    ['2021-12-24', 'Christmas Day'],
    ['2012-10-29', 'Hurricane Sandy'],
  ])('closes on %s for %s', (date, name) => {
    expect(calendar.holiday(date)).toEqual({ name, earlyClose: false });
    expect(calendar.isTradingDay(date)).toBe(false);
  });

  it('does not make up New Year on a Saturday', () => {
    expect(calendar.isTradingDay('2021-12-31')).toBe(true);
    expect(calendar.holiday('2022-01-01')).toBeNull();
  });

  it('has no Juneteenth before 2022', () => {
    expect(calendar.isTradingDay('2021-06-18')).toBe(true);
  });

  it.each(['2024-07-03', '2024-11-29', '2024-12-24', '2023-07-03'])(
    'closes early on %s',
    (date) => {
      expect(calendar.holiday(date)?.earlyClose).toBe(true);
      expect(calendar.isTradingDay(date)).toBe(true);
    },
  );

  it('closes at 13:00 New York time on the day after Thanksgiving', () => {
    const day = calendar.tradingDay('2024-11-29');
    expect(day?.close).toBe(at('2024-11-29T18:00:00Z'));
    expect(day?.earlyClose).toBe(true);
  });
});

describe('UsEquityCalendar sessions', () => {
  it('opens at 09:30 EST before the daylight-saving change', () => {
    expect(calendar.tradingDay('2024-03-08')?.open).toBe(
      at('2024-03-08T14:30:00Z'),
    );
  });

  it('opens at 09:30 EDT after the daylight-saving change', () => {
    expect(calendar.tradingDay('2024-03-11')?.open).toBe(
      at('2024-03-11T13:30:00Z'),
    );
  });

  it('returns to EST after the autumn change', () => {
    expect(calendar.tradingDay('2024-11-04')?.open).toBe(
      at('2024-11-04T14:30:00Z'),
    );
  });

  it.each([
    ['2024-03-11T08:00:00Z', 'pre-market'],
    ['2024-03-11T13:29:59Z', 'pre-market'],
    ['2024-03-11T13:30:00Z', 'regular'],
    ['2024-03-11T19:59:59Z', 'regular'],
    ['2024-03-11T20:00:00Z', 'after-hours'],
    ['2024-03-11T23:59:59Z', 'after-hours'],
    ['2024-03-12T00:00:00Z', 'closed'],
    ['2024-03-09T15:00:00Z', 'closed'],
    ['2024-12-25T15:00:00Z', 'closed'],
    ['2024-11-29T18:30:00Z', 'after-hours'],
  ])('at %s is %s', (instant, session) => {
    expect(calendar.sessionAt(at(instant))).toBe(session);
  });

  it('finds the next open across a weekend', () => {
    const saturday = at('2024-03-09T15:00:00Z');
    expect(calendar.nextOpen(saturday)).toBe(at('2024-03-11T13:30:00Z'));
    expect(calendar.nextClose(saturday)).toBe(at('2024-03-11T20:00:00Z'));
  });

  it('skips a holiday when looking for the next open', () => {
    const christmasEveEvening = at('2024-12-24T22:00:00Z');
    expect(calendar.nextOpen(christmasEveEvening)).toBe(
      at('2024-12-26T14:30:00Z'),
    );
  });

  it('reports the current close during the regular session', () => {
    const midday = at('2024-11-29T16:00:00Z');
    expect(calendar.nextClose(midday)).toBe(at('2024-11-29T18:00:00Z'));
    expect(calendar.nextOpen(midday)).toBe(at('2024-12-02T14:30:00Z'));
  });

  it('walks back over a long weekend', () => {
    expect(calendar.previousTradingDay('2024-09-03').date).toBe('2024-08-30');
  });
});
