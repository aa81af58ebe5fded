import { describe, expect, it } from 'vitest';
import {
  derivedFixture,
  fixture,
} from '../../../test/support/fake-upstream.js';
import { describeWithTestData } from '../../../test/support/test-data.js';
import { UpstreamError } from '../upstream/upstream.errors.js';
import type { UpstreamResponse } from '../upstream/upstream-http.client.js';
import {
  classifyFailure,
  isRecentSipDenial,
  parseJson,
} from './alpaca-errors.js';

function response(
  status: number,
  body: string,
  contentType = 'application/json',
): UpstreamResponse {
  return { status, headers: { 'content-type': contentType }, body };
}

const transcribed = (file: string) => fixture(`alpaca/transcribed/${file}`);

describeWithTestData('classifyFailure', () => {
  it('reads a 401 HTML page', () => {
    const page = derivedFixture('alpaca/error_401_authorization_required.html');
    const failure = classifyFailure(response(401, page, 'text/html'), 'AAPL');
    expect(failure.code).toBe('UPSTREAM_UNAUTHORIZED');
    expect(failure.detail).toBe(
      'alpaca rejected the key id and secret (HTTP 401): 401 Authorization Required',
    );
  });

  it('reads the recent SIP 403', () => {
    const body = transcribed(
      'error_403_subscription_does_not_permit_recent_sip.json',
    );
    const failure = classifyFailure(response(403, body), 'AAPL');
    expect(failure.code).toBe('PLAN_NOT_PERMITTED');
    expect(failure.detail).toContain(
      'subscription does not permit querying recent SIP data',
    );
  });

  it('reads other 403s as credentials', () => {
    const body = derivedFixture('alpaca/error_403_forbidden.json');
    expect(classifyFailure(response(403, body), 'AAPL').code).toBe(
      'UPSTREAM_UNAUTHORIZED',
    );
  });

  it('reads a 429 body', () => {
    const body = transcribed('error_429_too_many_requests.json');
    expect(classifyFailure(response(429, body), 'AAPL').code).toBe(
      'UPSTREAM_RATE_LIMITED',
    );
  });

  it.each([404, 422])('reads %i as not found', (status) => {
    const body = derivedFixture('alpaca/error_422_invalid_symbol.json');
    const failure = classifyFailure(response(status, body), 'ZZZZ');
    expect(failure.code).toBe('SYMBOL_NOT_FOUND');
    expect(failure.rejectedParameter).toBe(false);
  });

  it.each([
    'error_400_end_should_not_be_before_start.json',
    'error_400_invalid_timeframe_30Sec.json',
  ])('reads %s as a rejected parameter', (file) => {
    const failure = classifyFailure(response(400, transcribed(file)), 'AAPL');
    expect(failure.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(failure.rejectedParameter).toBe(true);
  });
});

describe('parseJson', () => {
  it('reports HTML', () => {
    const json = parseJson(response(200, '<html></html>', 'text/html'));
    expect(json).toEqual({
      ok: false,
      detail: 'alpaca sent HTML where JSON was expected (HTTP 200).',
    });
  });

  it('reports an empty body', () => {
    expect(parseJson(response(200, '  ')).ok).toBe(false);
  });

  it('reports truncated JSON', () => {
    expect(parseJson(response(200, '{"bars":[{"t":')).ok).toBe(false);
  });

  it('reads JSON', () => {
    expect(parseJson(response(200, '{"bars":[]}'))).toEqual({
      ok: true,
      value: { bars: [] },
    });
  });
});

function recentSipError(
  code: 'PLAN_NOT_PERMITTED' | 'UPSTREAM_UNAUTHORIZED',
): UpstreamError {
  return new UpstreamError(
    code,
    'alpaca',
    'The alpaca plan of this key does not include this data (HTTP 403): subscription does not permit querying recent SIP data',
  );
}

describe('isRecentSipDenial', () => {
  it('accepts the plan error', () => {
    expect(isRecentSipDenial(recentSipError('PLAN_NOT_PERMITTED'))).toBe(true);
  });

  it('ignores other codes', () => {
    expect(isRecentSipDenial(recentSipError('UPSTREAM_UNAUTHORIZED'))).toBe(
      false,
    );
  });

  it('ignores other errors', () => {
    expect(isRecentSipDenial(new Error('recent SIP data'))).toBe(false);
  });
});
