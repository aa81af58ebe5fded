import { describe, expect, it } from 'vitest';
import type { UpstreamResponse } from '../upstream/upstream-http.client.js';
import {
  classifyFailure,
  errorFieldsOf,
  parseJson,
} from './nasdaq-data-link.errors.js';

const response = (
  body: string,
  contentType = 'application/json; charset=utf-8',
): UpstreamResponse => ({
  status: 200,
  headers: { 'content-type': contentType },
  body,
});

const fields = (code: string) => ({ code, message: 'message' });

describe('parseJson', () => {
  it('reads a JSON body', () => {
    expect(parseJson(response('{"a":1}'))).toEqual({
      ok: true,
      value: { a: 1 },
    });
  });

  it('reports an HTML page', () => {
    expect(parseJson(response('<html></html>', 'text/html'))).toEqual({
      ok: false,
      detail: expect.stringContaining('HTML'),
    });
  });

  it('reports an empty body', () => {
    expect(parseJson(response('  '))).toEqual({
      ok: false,
      detail: expect.stringContaining('empty body'),
    });
  });

  it('reports truncated JSON', () => {
    expect(parseJson(response('{"datatable":{"data":[['))).toEqual({
      ok: false,
      detail: expect.stringContaining('truncated'),
    });
  });
});

describe('errorFieldsOf', () => {
  it('reads quandl_error', () => {
    const body = { quandl_error: { code: 'QECx02', message: 'm' } };
    expect(errorFieldsOf(body)).toEqual({ code: 'QECx02', message: 'm' });
  });

  it('reads error', () => {
    expect(errorFieldsOf({ error: { code: 'QEAx01' } })).toEqual({
      code: 'QEAx01',
    });
  });

  it('ignores a data body', () => {
    expect(errorFieldsOf({ datatable: { data: [] } })).toBeNull();
  });
});

describe('classifyFailure', () => {
  it.each([
    ['QEAx01', 400, 'UPSTREAM_UNAUTHORIZED'],
    ['QECx02', 404, 'SYMBOL_NOT_FOUND'],
    ['QEPx04', 403, 'PLAN_NOT_PERMITTED'],
    ['QESx02', 422, 'UPSTREAM_UNAVAILABLE'],
    ['QELx02', 429, 'UPSTREAM_RATE_LIMITED'],
    ['QELx06', 422, 'UPSTREAM_UNAVAILABLE'],
    ['QEMx01', 500, 'UPSTREAM_UNAVAILABLE'],
  ] as const)('maps %s (HTTP %i) to %s', (code, status, expected) => {
    expect(classifyFailure(status, fields(code), 'AAPL').code).toBe(expected);
  });

  it.each([
    [401, 'UPSTREAM_UNAUTHORIZED'],
    [403, 'PLAN_NOT_PERMITTED'],
    [404, 'SYMBOL_NOT_FOUND'],
    [429, 'UPSTREAM_RATE_LIMITED'],
    [400, 'UPSTREAM_UNAVAILABLE'],
  ] as const)('maps HTTP %i without a code', (status, expected) => {
    expect(classifyFailure(status, null, 'AAPL').code).toBe(expected);
  });

  it('maps 410 to not available', () => {
    const failure = classifyFailure(410, fields('QECx02'), 'AAPL');
    expect(failure.code).toBe('DATA_NOT_AVAILABLE');
    expect(failure.detail).toContain('stopped updating');
  });

  it('marks a syntax error as ours', () => {
    expect(classifyFailure(422, fields('QESx08'), 'AAPL').rejectedRequest).toBe(
      true,
    );
  });

  it('keeps a rate limit as theirs', () => {
    expect(classifyFailure(429, fields('QELx01'), 'AAPL').rejectedRequest).toBe(
      false,
    );
  });

  it('quotes the code and message', () => {
    const failure = classifyFailure(
      400,
      { code: 'QEAx01', message: 'We could not recognize your API key.' },
      'AAPL',
    );
    expect(failure.detail).toContain(
      'HTTP 400, QEAx01: We could not recognize your API key.',
    );
  });

  it('cuts a long message', () => {
    const message = 'x'.repeat(1000);
    const failure = classifyFailure(403, { code: 'QEPx04', message }, 'AAPL');
    expect(failure.detail.length).toBeLessThan(400);
  });
});
