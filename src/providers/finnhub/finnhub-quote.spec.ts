import { describe, expect, it } from 'vitest';
import { UsEquityCalendar } from '../../market/exchange-calendar.js';
import { parseSymbol } from '../../market/symbol.js';
import { UpstreamError } from '../upstream/upstream.errors.js';
import { buildQuote, type QuotePayload } from './finnhub-quote.js';

/** Monday 2026-05-18, 11:00 in New York, while US markets are open. */
const NOW = Date.parse('2026-05-18T15:00:00Z');

const AAPL: QuotePayload = {
  c: 308.82,
  d: 3.83,
  dp: 1.2558,
  h: 311.4,
  l: 305.84,
  o: 306.12,
  pc: 304.99,
  t: 1779116400,
};

function build(payload: QuotePayload) {
  return buildQuote(payload, {
    instrument: parseSymbol('AAPL'),
    now: NOW,
    calendar: new UsEquityCalendar(),
    fail: (code, detail) => new UpstreamError(code, 'finnhub', detail),
  });
}

function codeOf(payload: QuotePayload): string | undefined {
  try {
    build(payload);
  } catch (error) {
    if (error instanceof UpstreamError) return error.code;
    throw error;
  }

  return undefined;
}

describe('buildQuote', () => {
  it('names the regular session', () => {
    expect(build(AAPL).session).toBe('regular');
  });

  it('converts seconds to milliseconds', () => {
    expect(build(AAPL).asOf).toBe(1779116400_000);
  });

  it('keeps a zero change', () => {
    const quote = build({ ...AAPL, c: 304.99, d: 0, dp: 0 });
    expect(quote.change).toBe(0);
    expect(quote.changePercent).toBe(0);
  });

  it('treats a negative price as not found', () => {
    expect(codeOf({ ...AAPL, c: -1 })).toBe('SYMBOL_NOT_FOUND');
  });

  it('treats a null price as not found', () => {
    expect(codeOf({ ...AAPL, c: null })).toBe('SYMBOL_NOT_FOUND');
  });

  it('rejects a price without time', () => {
    expect(codeOf({ ...AAPL, t: 0 })).toBe('UPSTREAM_MALFORMED');
  });

  it('gives one quote in any host zone', () => {
    const original = process.env.TZ;
    const bodies: string[] = [];
    try {
      for (const zone of ['UTC', 'America/Los_Angeles', 'Asia/Tokyo']) {
        process.env.TZ = zone;
        bodies.push(JSON.stringify(build(AAPL)));
      }
    } finally {
      if (original === undefined) delete process.env.TZ;
      else process.env.TZ = original;
    }
    expect(bodies[1]).toBe(bodies[0]);
    expect(bodies[2]).toBe(bodies[0]);
  });
});
