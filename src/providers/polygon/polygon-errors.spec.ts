import { describe, expect, it } from 'vitest';
import { classifyFailure, isErrorBody, parseJson } from './polygon-errors.js';

const response = (body: string, contentType = 'application/json') => ({
  status: 200,
  headers: { 'content-type': contentType },
  body,
});

describe('classifyFailure', () => {
  it.each([
    [
      401,
      { status: 'ERROR', error: 'Unknown API Key' },
      'UPSTREAM_UNAUTHORIZED',
    ],
    [
      403,
      {
        status: 'NOT_AUTHORIZED',
        message: 'You are not entitled to this data.',
      },
      'PLAN_NOT_PERMITTED',
    ],
    [403, { status: 'ERROR', error: 'Forbidden' }, 'UPSTREAM_UNAUTHORIZED'],
    [
      404,
      { status: 'NOT_FOUND', message: 'Ticker not found.' },
      'SYMBOL_NOT_FOUND',
    ],
    [
      200,
      { status: 'NOT_FOUND', message: 'Ticker not found.' },
      'SYMBOL_NOT_FOUND',
    ],
    [
      400,
      {
        status: 'ERROR',
        error: "You've exceeded the maximum requests per minute",
      },
      'UPSTREAM_RATE_LIMITED',
    ],
    [
      400,
      { status: 'ERROR', error: 'API Key was not provided' },
      'UPSTREAM_UNAUTHORIZED',
    ],
    [
      400,
      { status: 'ERROR', error: 'Could not parse the time parameter' },
      'UPSTREAM_UNAVAILABLE',
    ],
    [400, 'not an object', 'UPSTREAM_UNAVAILABLE'],
  ])('maps HTTP %i %j', (status, body, code) => {
    expect(classifyFailure(status, body, 'AAPL').code).toBe(code);
  });

  it('flags a rejected parameter', () => {
    const failure = classifyFailure(
      400,
      { status: 'ERROR', error: 'bad' },
      'AAPL',
    );
    expect(failure.rejectedParameter).toBe(true);
  });

  it('quotes at most 200 characters', () => {
    const failure = classifyFailure(401, { error: 'x'.repeat(500) }, 'AAPL');
    expect(failure.detail).toContain('x'.repeat(200));
    expect(failure.detail).not.toContain('x'.repeat(201));
  });
});

describe('parseJson', () => {
  it('reads JSON', () => {
    expect(parseJson(response('{"status":"OK"}'))).toEqual({
      ok: true,
      value: { status: 'OK' },
    });
  });

  it.each([
    ['<html><body>Bad gateway</body></html>', 'application/json', 'HTML'],
    ['{}', 'text/html; charset=utf-8', 'HTML'],
    ['', 'application/json', 'empty'],
    ['{"status":"OK","results":[{"t":1', 'application/json', 'truncated'],
  ])('reports %j as %s', (body, contentType, word) => {
    const parsed = parseJson(response(body, contentType));
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.detail).toContain(word);
  });
});

describe('isErrorBody', () => {
  it.each([
    [{ status: 'ERROR' }, true],
    [{ status: 'NOT_AUTHORIZED' }, true],
    [{ status: 'OK' }, false],
    [{ status: 'DELAYED' }, false],
    [{ results: [] }, false],
  ])('tells %j is %s', (body, expected) => {
    expect(isErrorBody(body)).toBe(expected);
  });
});
