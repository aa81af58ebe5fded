import { describe, expect, it, vi } from 'vitest';
import { Clock } from '../common/clock.js';
import { MarketStatusService } from './market-status.service.js';

function statusAt(iso: string) {
  const clock = new Clock();
  vi.spyOn(clock, 'now').mockReturnValue(Date.parse(iso));
  const status = new MarketStatusService(clock).status();
  const byName = new Map(
    status.markets.map((market) => [market.exchange, market]),
  );

  return {
    nyse: byName.get('NYSE'),
    nasdaq: byName.get('Nasdaq'),
    forex: byName.get('Forex'),
    crypto: byName.get('Crypto'),
  };
}

describe('MarketStatusService', () => {
  it('reports the regular session after the spring DST change', () => {
    const { nyse } = statusAt('2024-03-11T13:45:00Z');
    expect(nyse?.isOpen).toBe(true);
    expect(nyse?.session).toBe('regular');
    expect(nyse?.localTime).toBe('2024-03-11T09:45:00.000-04:00');
    expect(nyse?.nextClose).toBe('2024-03-11T20:00:00.000Z');
  });

  it('reports pre-market before the open under EST', () => {
    const { nasdaq } = statusAt('2024-03-08T14:00:00Z');
    expect(nasdaq?.session).toBe('pre-market');
    expect(nasdaq?.nextOpen).toBe('2024-03-08T14:30:00.000Z');
  });

  it('names a full holiday', () => {
    const { nyse } = statusAt('2024-11-28T16:00:00Z');
    expect(nyse?.isOpen).toBe(false);
    expect(nyse?.holiday).toBe('Thanksgiving Day');
    expect(nyse?.nextOpen).toBe('2024-11-29T14:30:00.000Z');
    expect(nyse?.nextClose).toBe('2024-11-29T18:00:00.000Z');
  });

  it('closes early the day after Thanksgiving', () => {
    const { nyse } = statusAt('2024-11-29T18:30:00Z');
    expect(nyse?.earlyClose).toBe(true);
    expect(nyse?.session).toBe('after-hours');
    expect(nyse?.isOpen).toBe(false);
  });

  it('is closed over a weekend', () => {
    const { nyse, forex, crypto } = statusAt('2024-03-09T15:00:00Z');
    expect(nyse?.session).toBe('closed');
    expect(nyse?.nextOpen).toBe('2024-03-11T13:30:00.000Z');
    expect(forex?.isOpen).toBe(false);
    expect(forex?.nextOpen).toBe('2024-03-10T21:00:00.000Z');
    expect(crypto?.isOpen).toBe(true);
  });

  it('opens forex on Sunday 17:00 New York', () => {
    expect(statusAt('2024-03-10T20:59:00Z').forex?.isOpen).toBe(false);
    expect(statusAt('2024-03-10T21:00:00Z').forex?.isOpen).toBe(true);
  });

  it('closes forex on Friday 17:00 New York', () => {
    const { forex } = statusAt('2024-03-15T20:59:00Z');
    expect(forex?.isOpen).toBe(true);
    expect(forex?.nextClose).toBe('2024-03-15T21:00:00.000Z');
    expect(statusAt('2024-03-15T21:00:00Z').forex?.isOpen).toBe(false);
  });
});
