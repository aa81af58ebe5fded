import { describe, expect, it } from 'vitest';
import { parseSymbol } from '../../market/symbol.js';
import {
  addDays,
  CryptoHours,
  ForexHours,
  LocalWeekdayHours,
  tradingHoursOf,
  UsEquityHours,
  type TradingHours,
} from './trading-hours.js';

const at = (iso: string) => Date.parse(iso);

describe('UsEquityHours', () => {
  const hours = new UsEquityHours();

  it('opens 09:30 to 16:00 New York', () => {
    expect(hours.session('2024-03-15')).toEqual({
      date: '2024-03-15',
      open: at('2024-03-15T13:30:00Z'),
      close: at('2024-03-15T20:00:00Z'),
    });
  });

  it('closes at 13:00 on early-close days', () => {
    expect(hours.session('2024-11-29')?.close).toBe(at('2024-11-29T18:00:00Z'));
  });

  it.each(['2024-12-25', '2024-03-16', '2024-03-17'])(
    'holds no session on %s',
    (date) => {
      expect(hours.session(date)).toBeNull();
      expect(hours.isTradingDay(date)).toBe(false);
    },
  );

  it('reports extended sessions for quotes', () => {
    expect(hours.sessionAt(at('2024-03-15T12:00:00Z'))).toBe('pre-market');
    expect(hours.sessionAt(at('2024-03-15T15:00:00Z'))).toBe('regular');
    expect(hours.sessionAt(at('2024-03-15T21:00:00Z'))).toBe('after-hours');
    expect(hours.sessionAt(at('2024-03-16T15:00:00Z'))).toBe('closed');
  });

  it('dates instants in New York', () => {
    expect(hours.dateAt(at('2024-03-16T02:00:00Z'))).toBe('2024-03-15');
  });
});

describe('CryptoHours', () => {
  const hours: TradingHours = new CryptoHours();

  it('trades a whole UTC Sunday', () => {
    expect(hours.session('2024-03-17')).toEqual({
      date: '2024-03-17',
      open: at('2024-03-17T00:00:00Z'),
      close: at('2024-03-18T00:00:00Z'),
    });
    expect(hours.sessionAt(at('2024-03-17T12:00:00Z'))).toBe('regular');
  });
});

describe('ForexHours', () => {
  const hours = new ForexHours();

  it('opens Monday on Sunday 17:00 New York', () => {
    expect(hours.session('2024-03-18')).toEqual({
      date: '2024-03-18',
      open: at('2024-03-17T21:00:00Z'),
      close: at('2024-03-18T21:00:00Z'),
    });
  });

  it('rolls the date over at 17:00', () => {
    expect(hours.dateAt(at('2024-03-18T20:59:00Z'))).toBe('2024-03-18');
    expect(hours.dateAt(at('2024-03-18T21:00:00Z'))).toBe('2024-03-19');
  });

  it('closes from Friday 17:00 to Sunday 17:00', () => {
    expect(hours.sessionAt(at('2024-03-15T20:59:00Z'))).toBe('regular');
    expect(hours.sessionAt(at('2024-03-15T21:00:00Z'))).toBe('closed');
    expect(hours.sessionAt(at('2024-03-16T12:00:00Z'))).toBe('closed');
    expect(hours.sessionAt(at('2024-03-17T20:59:00Z'))).toBe('closed');
    expect(hours.sessionAt(at('2024-03-17T21:00:00Z'))).toBe('regular');
  });

  it('keeps 24 hours across daylight saving', () => {
    const session = hours.session('2024-03-11');
    expect(session?.open).toBe(at('2024-03-10T21:00:00Z'));
    expect(session?.close).toBe(at('2024-03-11T21:00:00Z'));
  });
});

describe('LocalWeekdayHours', () => {
  const hours = new LocalWeekdayHours('Asia/Tokyo');

  it('trades 09:00 to 16:00 local time', () => {
    expect(hours.session('2024-03-15')).toEqual({
      date: '2024-03-15',
      open: at('2024-03-15T00:00:00Z'),
      close: at('2024-03-15T07:00:00Z'),
    });
    expect(hours.session('2024-03-16')).toBeNull();
  });
});

describe('tradingHoursOf', () => {
  it.each([
    ['AAPL', UsEquityHours],
    ['^GSPC', UsEquityHours],
    ['BTC-USD', CryptoHours],
    ['EUR-USD', ForexHours],
    ['7203.T', LocalWeekdayHours],
  ])('picks hours for %s', (symbol, kind) => {
    expect(tradingHoursOf(parseSymbol(symbol))).toBeInstanceOf(kind);
  });

  it('shares one instance per kind', () => {
    expect(tradingHoursOf(parseSymbol('AAPL'))).toBe(
      tradingHoursOf(parseSymbol('MSFT')),
    );
  });
});

describe('addDays', () => {
  it('crosses month and year ends', () => {
    expect(addDays('2024-02-28', 2)).toBe('2024-03-01');
    expect(addDays('2024-01-01', -1)).toBe('2023-12-31');
  });
});
