import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE } from '../src/common/error-catalogue.js';
import { startTestApp, type TestApp } from './support/app.js';

let api: TestApp;

/** A cursor with a valid key but instants far outside any calendar. */
const forgedCursor = Buffer.from(
  JSON.stringify({
    key: 'AAPL|1d|true',
    start: -8_640_000_000_000_001,
    end: 8_640_000_000_000_001,
    direction: 'forward',
  }),
).toString('base64url');

beforeAll(async () => {
  api = await startTestApp({ now: Date.parse('2024-03-13T17:00:00Z') });
});

afterAll(async () => {
  await api.close();
});

interface ProblemBody {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  instance: string;
  parameter?: string;
}

async function problem(path: string) {
  const { status, body, response } = await api.json<ProblemBody>(path);

  return {
    status,
    body,
    contentType: response.headers.get('content-type'),
    requestId: response.headers.get('x-request-id'),
  };
}

describe('problem responses', () => {
  it.each([
    ['/api/quotes/AAPL$', 'symbol', /not allowed/],
    ['/api/quotes/%3Cscript%3E', 'symbol', /not allowed/],
    ['/api/stocks/BRK%2FB', 'symbol', /not allowed/],
    ['/api/quotes/' + 'A'.repeat(200), 'symbol', /longer than 32/],
    [
      '/api/stocks/AAPL/history?interval=2h',
      'interval',
      /one of 1m, 5m, 15m, 30m, 1h, 1d, 1wk, 1mo/,
    ],
    [
      '/api/stocks/AAPL/history?from=2024-03-10&to=2024-03-01',
      'from',
      /after to/,
    ],
    ['/api/stocks/AAPL/history?limit=0', 'limit', /integer from 1 to 50000/],
    [
      '/api/stocks/AAPL/history?limit=50001',
      'limit',
      /integer from 1 to 50000/,
    ],
    ['/api/stocks/AAPL/history?limit=ten', 'limit', /integer from 1 to 50000/],
    ['/api/stocks/AAPL/history?from=2024-02-30', 'from', /not a valid date/],
    ['/api/stocks/AAPL/history?to=yesterday', 'to', /YYYY-MM-DD/],
    ['/api/stocks/AAPL/history?adjusted=maybe', 'adjusted', /true or false/],
    ['/api/stocks/AAPL/history?format=xml', 'format', /json or csv/],
    [
      '/api/stocks/AAPL/history?cursor=bm9wZQ',
      'cursor',
      /not a value this API issued/,
    ],
    [
      '/api/stocks/AAPL/history?intervall=1d',
      'intervall',
      /not a parameter of this endpoint/,
    ],
    [
      `/api/stocks/AAPL/history?cursor=${forgedCursor}`,
      'cursor',
      /not a value this API issued/,
    ],
    [
      '/api/stocks/AAPL/history?from=2030-01-01',
      'from',
      /after to \(now, since to is not given\)/,
    ],
    [
      '/api/stocks/AAPL/history?interval=1d&interval=1h',
      'interval',
      /more than once/,
    ],
    [
      '/api/quotes?symbols=' +
        Array.from({ length: 101 }, (_, i) => `S${i}`).join(','),
      'symbols',
      /more than 100/,
    ],
    ['/api/quotes?symbols=,,', 'symbols', /at least one symbol/],
    ['/api/quotes', 'symbols', /required/],
    ['/api/symbols?query=', 'query', /must not be empty/],
    ['/api/crypto/AAPL', 'symbol', /not a crypto pair/],
    ['/api/forex/BTC-USD', 'pair', /\/api\/crypto\/BTC-USD/],
    ['/api/stocks/EUR-USD', 'symbol', /\/api\/forex\/EUR-USD/],
    ['/api/quotes/AAPL?extra=1', 'extra', /not a parameter/],
  ])('rejects %s naming %s', async (path, parameter, detail) => {
    const { status, body, contentType } = await problem(path);
    expect(status).toBe(400);
    expect(contentType).toBe('application/problem+json; charset=utf-8');
    expect(body.code).toBe('INVALID_PARAMETER');
    expect(body.parameter).toBe(parameter);
    expect(body.detail).toMatch(detail);
  });

  it('answers 404 for an unknown symbol', async () => {
    const { status, body } = await problem('/api/quotes/ZZZZ');
    expect(status).toBe(404);
    expect(body.code).toBe('SYMBOL_NOT_FOUND');
    expect(body.detail).toContain('ZZZZ');
  });

  it('answers 404 for an unknown route', async () => {
    const { status, body } = await problem('/api/nothing-here');
    expect(status).toBe(404);
    expect(body.code).toBe('NOT_FOUND');
  });

  it('fills every RFC 9457 member', async () => {
    const { body, requestId } = await problem(
      '/api/stocks/AAPL/history?interval=2h',
    );
    expect(body.type).toBe('/problems/invalid-parameter');
    expect(body.title).toBe(ERROR_CATALOGUE.INVALID_PARAMETER.title);
    expect(body.status).toBe(400);
    expect(body.instance).toBe(requestId);
  });
});

describe('hostile input', () => {
  const paths = [
    '/api/quotes/%00',
    '/api/quotes/%E0%A4%A',
    '/api/quotes/..%2F..%2Fetc%2Fpasswd',
    '/api/stocks/AAPL/history?from=9999-12-31',
    '/api/stocks/AAPL/history?from=0000-01-01&to=0000-01-02',
    '/api/stocks/AAPL/history?from=2024-03-13T99:99Z',
    '/api/stocks/AAPL/history?limit=1e3',
    '/api/stocks/AAPL/history?limit=-1',
    '/api/stocks/AAPL/history?limit=99999999999999999999',
    '/api/stocks/AAPL/history?interval=1mo&from=2000-01-01',
    '/api/stocks/AAPL/history?interval=1m&from=2000-01-01&to=2024-03-13',
    '/api/stocks/AAPL/history?cursor=' + 'A'.repeat(5000),
    '/api/stocks/%5E/history',
    '/api/crypto/-/profile',
    '/api/forex/USD/info',
    '/api/quotes?symbols=' + '%2C'.repeat(3000),
    '/api/quotes?symbols[]=AAPL',
    '/api/symbols?query=' + 'x'.repeat(1000),
    '/api/symbols?query=%F0%9F%92%A5&limit=100',
    '/problems/' + 'x'.repeat(500),
  ];

  it.each(paths)('answers %s without a server error', async (path) => {
    const response = await api.request(path);
    expect(response.status).toBeLessThan(500);
    expect(response.headers.get('content-type')).toMatch(/json/);
  });

  it('rejects a request body on GET routes cleanly', async () => {
    const response = await api.request('/api/quotes/AAPL', {
      method: 'POST',
      body: '{not json',
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBeLessThan(500);
  });
});

describe('HTTP-level errors', () => {
  it('answers 405 with Allow for another method', async () => {
    const response = await api.request('/api/quotes/AAPL', {
      method: 'DELETE',
    });
    const body = (await response.json()) as ProblemBody;
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
    expect(body.code).toBe('METHOD_NOT_ALLOWED');
  });

  it('answers 404 for another method on an unknown path', async () => {
    const response = await api.request('/api/unknown', { method: 'POST' });
    expect(response.status).toBe(404);
  });

  it('answers a broken percent-encoding with a problem', async () => {
    const { status, body, contentType, requestId } =
      await problem('/api/quotes/%ff');
    expect(status).toBe(400);
    expect(contentType).toBe('application/problem+json; charset=utf-8');
    expect(body.parameter).toBe('url');
    expect(requestId).toBe(body.instance);
  });

  it('answers oversized headers with 431', async () => {
    const response = await api.request('/api/quotes/AAPL', {
      headers: { 'x-padding': 'x'.repeat(20_000) },
    });
    expect(response.status).toBe(431);
    expect(response.headers.get('content-type')).toBe(
      'application/problem+json; charset=utf-8',
    );
    expect(((await response.json()) as ProblemBody).code).toBe(
      'HEADERS_TOO_LARGE',
    );
  });

  it('answers malformed HTTP with 400', async () => {
    const raw = await rawRequest(
      'FOO /api/quotes/AAPL HTTP/1.1\r\nHost: x\r\n\r\n',
    );
    expect(raw).toMatch(/^HTTP\/1\.1 400 /);
    expect(raw).toContain('"code":"INVALID_PARAMETER"');
  });
});

/** Sends bytes over a plain socket and returns everything the server writes back. */
async function rawRequest(text: string): Promise<string> {
  const { port } = new URL(api.baseUrl);
  const socket = connect(Number(port), '127.0.0.1');
  socket.setTimeout(5000, () => socket.destroy());
  socket.end(text);
  let received = '';
  for await (const chunk of socket) received += String(chunk);

  return received;
}
