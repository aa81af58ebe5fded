import { describe, expect, it } from 'vitest';
import {
  ApiError,
  InvalidParameterError,
  SymbolNotFoundError,
} from '../common/api.errors.js';
import { combineFailures, failsOver, type Attempt } from './failover.js';

const notFound: Attempt = {
  source: 'simulated',
  code: 'SYMBOL_NOT_FOUND',
  detail: 'unknown',
};
const noData: Attempt = {
  source: 'replay',
  code: 'DATA_NOT_AVAILABLE',
  detail: 'files end 2014',
};
const down: Attempt = {
  source: 'replay',
  code: 'UPSTREAM_UNAVAILABLE',
  detail: 'down',
};
const malformed: Attempt = {
  source: 'simulated',
  code: 'UPSTREAM_MALFORMED',
  detail: 'bad',
};

describe('failsOver', () => {
  it('hands not found to the next source', () => {
    expect(failsOver(new SymbolNotFoundError('X'))).toBe(true);
  });

  it('stops on a client error', () => {
    expect(failsOver(new InvalidParameterError('interval', 'bad'))).toBe(false);
  });

  it('hands unexpected faults to the next source', () => {
    expect(failsOver(new TypeError('boom'))).toBe(true);
  });
});

const codeOf = (attempts: Attempt[]) => combineFailures('AAPL', attempts).code;

describe('combineFailures', () => {
  it('gives 404 when every source says not found', () => {
    const error = combineFailures('AAPL', [
      notFound,
      { ...notFound, source: 'replay' },
    ]);
    expect(error.code).toBe('SYMBOL_NOT_FOUND');
    expect(error.status).toBe(404);
  });

  it('prefers data not available over not found', () => {
    const error = combineFailures('AAPL', [notFound, noData]);
    expect(error.code).toBe('DATA_NOT_AVAILABLE');
    expect(error.detail).toBe('files end 2014');
  });

  it('gives 503 when any source failed otherwise', () => {
    expect(codeOf([notFound, down])).toBe('UPSTREAM_UNAVAILABLE');
  });

  it('gives 502 only when every failure was malformed', () => {
    expect(codeOf([malformed, notFound])).toBe('UPSTREAM_MALFORMED');
    expect(codeOf([malformed, down])).toBe('UPSTREAM_UNAVAILABLE');
  });

  it('asks for the shortest wait when every source is limited', () => {
    const limited: Attempt = {
      source: 'polygon',
      code: 'UPSTREAM_RATE_LIMITED',
      detail: '429',
      retryAfterMs: 30_500,
    };
    const quota: Attempt = {
      source: 'alpha_vantage',
      code: 'QUOTA_EXHAUSTED',
      detail: 'used',
      retryAfterMs: 60_000,
    };
    expect(combineFailures('AAPL', [limited, quota]).extra.retryAfter).toBe(31);
  });

  it('asks for no wait when a source is down', () => {
    const limited: Attempt = {
      source: 'polygon',
      code: 'UPSTREAM_RATE_LIMITED',
      detail: '429',
      retryAfterMs: 1000,
    };
    expect(
      combineFailures('AAPL', [limited, down]).extra.retryAfter,
    ).toBeUndefined();
  });

  it('lists every attempt in the problem body', () => {
    const error = combineFailures('AAPL', [notFound, down]);
    expect(error).toBeInstanceOf(ApiError);
    expect(error.extra.attempts).toEqual([notFound, down]);
  });
});
