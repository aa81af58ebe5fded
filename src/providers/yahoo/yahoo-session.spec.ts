import { describe, expect, it } from 'vitest';
import type { UpstreamResponse } from '../upstream/upstream-http.client.js';
import { UpstreamError } from '../upstream/upstream.errors.js';
import type { Fail } from './yahoo-payload.js';
import { readCookie, readCrumb } from './yahoo-session.js';

const fail: Fail = (code, detail) => new UpstreamError(code, 'yahoo', detail);

function response(
  status: number,
  body: string,
  headers: UpstreamResponse['headers'] = {},
): UpstreamResponse {
  return { status, body, headers };
}

function thrown(read: () => unknown): UpstreamError {
  try {
    read();
  } catch (error) {
    if (error instanceof UpstreamError) return error;
    throw error;
  }
  throw new Error('expected an UpstreamError');
}

describe('readCookie', () => {
  it('joins every Set-Cookie pair', () => {
    const headers = {
      'set-cookie': [
        'A3=d=abc&S=def; Max-Age=31557600; Domain=.yahoo.com; Secure',
        'A1S=d=ghi; Path=/',
      ],
    };
    expect(readCookie(response(404, '', headers), fail)).toBe(
      'A3=d=abc&S=def; A1S=d=ghi',
    );
  });

  it('reads a single header', () => {
    const headers = { 'set-cookie': 'A3=d=abc; Path=/' };
    expect(readCookie(response(200, '', headers), fail)).toBe('A3=d=abc');
  });

  it('fails without a cookie', () => {
    expect(thrown(() => readCookie(response(404, ''), fail)).code).toBe(
      'UPSTREAM_UNAUTHORIZED',
    );
  });
});

describe('readCrumb', () => {
  it('trims the plain-text crumb', () => {
    expect(readCrumb(response(200, 'Tq7crumbTST\n'), fail)).toBe('Tq7crumbTST');
  });

  it('rejects an empty body', () => {
    expect(thrown(() => readCrumb(response(200, ''), fail)).code).toBe(
      'UPSTREAM_MALFORMED',
    );
  });

  it('rejects a JSON error body', () => {
    const body = '{"finance":{"result":null}}';
    expect(thrown(() => readCrumb(response(200, body), fail)).code).toBe(
      'UPSTREAM_MALFORMED',
    );
  });

  it('treats 401 as unauthorized', () => {
    expect(thrown(() => readCrumb(response(401, ''), fail)).code).toBe(
      'UPSTREAM_UNAUTHORIZED',
    );
  });
});
