import { describe, expect, it } from 'vitest';
import { parseTimestamp } from './csv-timestamp.js';

const NEW_YORK = 'America/New_York';

describe('parseTimestamp', () => {
  it('reads an ISO date', () => {
    expect(parseTimestamp('2014-06-09', NEW_YORK)).toEqual({
      date: '2014-06-09',
      ms: Date.parse('2014-06-09T00:00:00Z'),
      midnight: true,
    });
  });

  it('reads a slashed date', () => {
    expect(parseTimestamp('2018/10/15', NEW_YORK)?.date).toBe('2018-10-15');
  });

  it('reads a US month-first date', () => {
    expect(parseTimestamp('10/15/2018', NEW_YORK)?.date).toBe('2018-10-15');
  });

  it('reads a European day-first date', () => {
    expect(parseTimestamp('15.10.2018', NEW_YORK)?.date).toBe('2018-10-15');
  });

  it('keeps the date of its own offset', () => {
    const stamp = parseTimestamp('2023-04-14 00:00:00+09:00', NEW_YORK);
    expect(stamp?.date).toBe('2023-04-14');
    expect(stamp?.midnight).toBe(true);
  });

  it('applies a negative offset', () => {
    const stamp = parseTimestamp('2026-05-26 04:00:00-04:00', NEW_YORK);
    expect(stamp?.ms).toBe(Date.parse('2026-05-26T08:00:00Z'));
    expect(stamp?.midnight).toBe(false);
  });

  it('reads a T timestamp in UTC', () => {
    expect(parseTimestamp('2021-11-27T00:01:00Z', 'UTC')?.ms).toBe(
      Date.parse('2021-11-27T00:01:00Z'),
    );
  });

  it('reads a compact offset', () => {
    expect(parseTimestamp('2023-04-14T09:00:00+0900', NEW_YORK)?.ms).toBe(
      Date.parse('2023-04-14T00:00:00Z'),
    );
  });

  it('reads fractional seconds', () => {
    expect(parseTimestamp('2024-03-15 10:00:00.250Z', NEW_YORK)?.ms).toBe(
      Date.parse('2024-03-15T10:00:00.250Z'),
    );
  });

  it('reads local daylight time', () => {
    expect(parseTimestamp('2024-03-15 09:30:00', NEW_YORK)?.ms).toBe(
      Date.parse('2024-03-15T13:30:00Z'),
    );
  });

  it('reads local standard time', () => {
    expect(parseTimestamp('2024-01-12 09:30', NEW_YORK)?.ms).toBe(
      Date.parse('2024-01-12T14:30:00Z'),
    );
  });

  it('reads epoch milliseconds', () => {
    const stamp = parseTimestamp('1637971260000', 'UTC');
    expect(stamp?.ms).toBe(1637971260000);
    expect(stamp?.date).toBe('2021-11-27');
  });

  it('reads epoch seconds', () => {
    expect(parseTimestamp('1637971260', 'UTC')?.ms).toBe(1637971260000);
  });

  it('reads epoch microseconds', () => {
    expect(parseTimestamp('1735689600000000', 'UTC')?.ms).toBe(1735689600000);
  });

  it('dates epoch midnight UTC by UTC', () => {
    const stamp = parseTimestamp('1409270400', NEW_YORK);
    expect(stamp?.date).toBe('2014-08-29');
    expect(stamp?.midnight).toBe(true);
  });

  it('dates epoch midnight in the zone', () => {
    const stamp = parseTimestamp(
      String(Date.parse('2014-08-29T04:00:00Z') / 1000),
      NEW_YORK,
    );
    expect(stamp?.date).toBe('2014-08-29');
    expect(stamp?.midnight).toBe(true);
  });

  it('dates an intraday epoch in the zone', () => {
    const stamp = parseTimestamp(
      String(Date.parse('2014-08-29T01:00:00Z')),
      NEW_YORK,
    );
    expect(stamp?.date).toBe('2014-08-28');
    expect(stamp?.midnight).toBe(false);
  });

  it.each([
    '11:34',
    '2023-02-30',
    '2023-13-01',
    '2023-04-14 25:00',
    'soon',
    '',
  ])('rejects "%s"', (cell) => {
    expect(parseTimestamp(cell, NEW_YORK)).toBeNull();
  });
});
