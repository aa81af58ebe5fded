import type { Logger } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { fakeLogger } from '../../../test/support/fake-logger.js';
import {
  type FakeResponse,
  derivedFixture,
  fixture,
  route,
  useFakeUpstream,
} from '../../../test/support/fake-upstream.js';
import { describeWithTestData } from '../../../test/support/test-data.js';
import { testUpstreamContext } from '../../../test/support/upstream-context.js';
import { withDeadline } from '../../common/request-deadline.js';
import { parseSymbol } from '../../market/symbol.js';
import { UpstreamError } from '../upstream/upstream.errors.js';
import { FinnhubSource } from './finnhub.adapter.js';
import { capturePrinted } from '../../../test/support/printed-output.js';

const KEY = 'fh-test-7c2e91';
/** Friday 2026-05-22, 17:00 in New York: after the close of the recorded quote. */
const NOW = Date.parse('2026-05-22T21:00:00Z');

const upstream = useFakeUpstream();

function finnhub(options: { timeoutMs?: number } = {}) {
  const logger = fakeLogger();
  const context = testUpstreamContext({
    id: 'finnhub',
    baseUrl: upstream().baseUrl,
    key: KEY,
    now: NOW,
    ...options,
  });
  context.logger = logger as unknown as Logger;

  return { source: new FinnhubSource(context), logger };
}

const recorded = (file: string, status = 200): FakeResponse => ({
  status,
  body: fixture(`finnhub/${file}`),
});
const derived = (file: string, status = 200): FakeResponse => ({
  status,
  body: derivedFixture(`finnhub/${file}`),
});
const aaplQuote = () => recorded('quote_AAPL.json');

async function failure(promise: Promise<unknown>): Promise<UpstreamError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(UpstreamError);

  return error as UpstreamError;
}

function quoteAapl(source: FinnhubSource) {
  return source.getQuote(parseSymbol('AAPL'));
}

describeWithTestData('FinnhubSource quotes', () => {
  it('quotes AAPL from the recording', async () => {
    upstream().setRoutes([route('/quote', { symbol: 'AAPL' }, aaplQuote)]);
    const quote = await quoteAapl(finnhub().source);
    expect(quote).toEqual({
      symbol: 'AAPL',
      assetClass: 'equity',
      currency: 'USD',
      exchange: null,
      price: 308.82,
      change: 3.83,
      changePercent: 1.2558,
      previousClose: 304.99,
      open: 306.12,
      high: 311.4,
      low: 305.84,
      volume: null,
      bid: null,
      ask: null,
      session: 'after-hours',
      asOf: Date.parse('2026-05-22T20:00:00Z'),
      source: 'finnhub',
      stale: false,
      delayed: 0,
    });
  });

  it('sends the key as a header', async () => {
    upstream().setRoutes([route('/quote', {}, aaplQuote)]);
    await quoteAapl(finnhub().source);
    const call = upstream().calls[0];
    expect(call?.headers['x-finnhub-token']).toBe(KEY);
    expect(call?.query).toEqual({ symbol: 'AAPL' });
    expect(JSON.stringify(call?.query)).not.toContain(KEY);
  });

  it('reads the transcribed 2023 quote', async () => {
    upstream().setRoutes([
      route('/quote', {}, recorded('transcribed/quote_AAPL_2023-09-29.json')),
    ]);
    const quote = await quoteAapl(finnhub().source);
    expect(quote.price).toBe(171.21);
    expect(quote.low).toBe(170.341);
    expect(quote.asOf).toBe(Date.parse('2023-09-29T20:00:01Z'));
  });

  it('sends BRK.B as BRK.B', async () => {
    upstream().setRoutes([route('/quote', { symbol: 'BRK.B' }, aaplQuote)]);
    const quote = await finnhub().source.getQuote(parseSymbol('brk-b'));
    expect(quote.symbol).toBe('BRK.B');
    expect(upstream().calls[0]?.query.symbol).toBe('BRK.B');
  });

  it('reports a quote of zeros as not found', async () => {
    upstream().setRoutes([
      route('/quote', {}, recorded('quote_ZZZNOTASYMBOL.json')),
    ]);
    const error = await failure(
      finnhub().source.getQuote(parseSymbol('ZZZNOTASYMBOL')),
    );
    expect(error.code).toBe('SYMBOL_NOT_FOUND');
    expect(error.detail).toContain('ZZZNOTASYMBOL');
  });

  it('nulls zero day fields', async () => {
    upstream().setRoutes([
      route('/quote', {}, derived('quote_AAPL_zero_day_fields.json')),
    ]);
    const quote = await quoteAapl(finnhub().source);
    expect(quote.price).toBe(308.82);
    expect(quote.open).toBeNull();
    expect(quote.high).toBeNull();
    expect(quote.low).toBeNull();
    expect(quote.previousClose).toBeNull();
    expect(quote.change).toBeNull();
  });

  it('drops a low above the high', async () => {
    upstream().setRoutes([
      route('/quote', {}, derived('quote_AAPL_low_above_high.json')),
    ]);
    const { source, logger } = finnhub();
    const quote = await quoteAapl(source);
    expect(quote.high).toBeNull();
    expect(quote.low).toBeNull();
    expect(quote.price).toBe(308.82);
    expect(String(logger.warn.mock.calls[0]?.[0])).toContain('finnhub AAPL');
  });

  it.each(['^GSPC', 'BTC-USD', 'EUR-USD', '4063.T'])(
    'rejects %s without a call',
    async (text) => {
      upstream().setRoutes([route('/quote', {}, aaplQuote)]);
      const error = await failure(finnhub().source.getQuote(parseSymbol(text)));
      expect(error.code).toBe('SYMBOL_NOT_FOUND');
      expect(upstream().calls).toHaveLength(0);
    },
  );
});

describeWithTestData('FinnhubSource profile and search', () => {
  it('reads the recorded profile', async () => {
    upstream().setRoutes([
      route(
        '/stock/profile2',
        { symbol: 'AAPL' },
        recorded('stock_profile2_AAPL.json'),
      ),
    ]);
    const profile = await finnhub().source.getProfile(parseSymbol('AAPL'));
    expect(profile).toEqual({
      symbol: 'AAPL',
      assetClass: 'equity',
      name: 'Apple Inc',
      exchange: 'XNAS',
      currency: 'USD',
      country: 'US',
      sector: null,
      industry: 'Technology',
      description: null,
      website: 'https://www.apple.com/',
      base: null,
      quote: null,
      timeZone: 'America/New_York',
      coverage: null,
      source: 'finnhub',
      asOf: NOW,
      stale: false,
    });
  });

  it('reports an empty profile as not found', async () => {
    upstream().setRoutes([
      route('/stock/profile2', {}, derived('stock_profile2_empty.json')),
    ]);
    const error = await failure(
      finnhub().source.getProfile(parseSymbol('ZZZZ')),
    );
    expect(error.code).toBe('SYMBOL_NOT_FOUND');
  });

  it('keeps US rows of the search', async () => {
    upstream().setRoutes([
      route('/search', { q: 'apple' }, recorded('search_q_apple.json')),
    ]);
    const matches = await finnhub().source.search('apple', 20);
    expect(matches.map((match) => match.symbol)).toEqual([
      'AAPL',
      'APLE',
      'MLP',
      'AAPI',
      'PAPL',
      'SUNE',
    ]);
    expect(matches[2]).toEqual({
      symbol: 'MLP',
      name: 'Maui Land & Pineapple Company Inc',
      assetClass: 'equity',
      exchange: null,
      currency: 'USD',
      source: 'finnhub',
    });
  });

  it('cuts the search to the limit', async () => {
    upstream().setRoutes([
      route('/search', {}, recorded('search_q_apple.json')),
    ]);
    const matches = await finnhub().source.search('apple', 2);
    expect(matches.map((match) => match.symbol)).toEqual(['AAPL', 'APLE']);
  });

  it('returns no matches for an empty result', async () => {
    upstream().setRoutes([route('/search', {}, derived('search_empty.json'))]);
    const matches = await finnhub().source.search('zzzz', 10);
    expect(matches).toEqual([]);
  });
});

describeWithTestData('FinnhubSource error payloads', () => {
  it.each([
    ['error_401_invalid_api_key.json', 'Invalid API key.'],
    ['error_401_please_use_an_api_key.json', 'Please use an API key.'],
  ])('maps 401 %s to unauthorized', async (file, message) => {
    upstream().setRoutes([() => recorded(`transcribed/${file}`, 401)]);
    const error = await failure(quoteAapl(finnhub().source));
    expect(error.code).toBe('UPSTREAM_UNAUTHORIZED');
    expect(error.detail).toContain(message);
    expect(error.upstreamStatus).toBe(401);
  });

  it('maps the premium 403 to plan', async () => {
    upstream().setRoutes([
      () => recorded('error_403_stock_candle_AAPL_premium.json', 403),
    ]);
    const error = await failure(quoteAapl(finnhub().source));
    expect(error.code).toBe('PLAN_NOT_PERMITTED');
    expect(error.detail).toContain("You don't have access to this resource.");
  });

  it('maps a JSON 429 to rate limited', async () => {
    upstream().setRoutes([
      () => recorded('transcribed/error_429_api_limit_reached.json', 429),
    ]);
    const error = await failure(quoteAapl(finnhub().source));
    expect(error.code).toBe('UPSTREAM_RATE_LIMITED');
    expect(error.upstreamStatus).toBe(429);
  });

  it('maps a plain-text 429 to rate limited', async () => {
    upstream().setRoutes([
      () => ({
        ...derived('error_429_api_limit_reached.txt', 429),
        headers: { 'content-type': 'text/plain' },
      }),
    ]);
    const error = await failure(quoteAapl(finnhub().source));
    expect(error.code).toBe('UPSTREAM_RATE_LIMITED');
    expect(error.upstreamStatus).toBe(429);
  });

  it('reads a limit notice inside 200', async () => {
    upstream().setRoutes([
      () => recorded('transcribed/error_429_api_limit_reached.json'),
    ]);
    const error = await failure(quoteAapl(finnhub().source));
    expect(error.code).toBe('UPSTREAM_RATE_LIMITED');
  });

  it('reads a plain-text limit notice', async () => {
    upstream().setRoutes([
      () => ({
        ...derived('error_429_api_limit_reached.txt'),
        headers: { 'content-type': 'text/plain' },
      }),
    ]);
    const error = await failure(quoteAapl(finnhub().source));
    expect(error.code).toBe('UPSTREAM_RATE_LIMITED');
  });

  it('maps an unknown error body', async () => {
    upstream().setRoutes([
      () => ({ status: 400, body: '{"error":"Wrong resolution."}' }),
    ]);
    const error = await failure(quoteAapl(finnhub().source));
    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(error.detail).toContain('Wrong resolution.');
  });
});

describeWithTestData('FinnhubSource transport failures', () => {
  it('retries a 429 after Retry-After', async () => {
    let calls = 0;
    upstream().setRoutes([
      () => {
        calls += 1;
        return calls === 1
          ? {
              ...recorded('transcribed/error_429_api_limit_reached.json', 429),
              headers: { 'retry-after': '0' },
            }
          : aaplQuote();
      },
    ]);
    const quote = await quoteAapl(finnhub().source);
    expect(quote.price).toBe(308.82);
    expect(upstream().calls).toHaveLength(2);
  });

  it('fails over on a long Retry-After', async () => {
    upstream().setRoutes([
      () => ({
        ...recorded('transcribed/error_429_api_limit_reached.json', 429),
        headers: { 'retry-after': '30' },
      }),
    ]);
    const { source } = finnhub({ timeoutMs: 500 });
    const error = await failure(withDeadline(5000, () => quoteAapl(source)));
    expect(error.code).toBe('UPSTREAM_RATE_LIMITED');
    expect(error.retryAfterMs).toBe(30_000);
    expect(upstream().calls).toHaveLength(1);
  });

  it('maps 5xx to unavailable', async () => {
    upstream().setRoutes([() => ({ status: 502, body: 'bad gateway' })]);
    const error = await failure(quoteAapl(finnhub().source));
    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(error.upstreamStatus).toBe(502);
  });

  it('times out a slow response', async () => {
    upstream().setRoutes([() => ({ ...aaplQuote(), delayMs: 5000 })]);
    const started = Date.now();
    const error = await failure(quoteAapl(finnhub({ timeoutMs: 200 }).source));
    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(error.detail).toContain('did not answer');
    expect(Date.now() - started).toBeLessThan(4000);
  });

  it('rejects an HTML page', async () => {
    upstream().setRoutes([
      () => ({
        ...derived('html_error_page.html'),
        headers: { 'content-type': 'text/html' },
      }),
    ]);
    const error = await failure(quoteAapl(finnhub().source));
    expect(error.code).toBe('UPSTREAM_MALFORMED');
    expect(error.detail).toContain('HTML');
  });

  it('rejects truncated JSON', async () => {
    const body = aaplQuote().body ?? '';
    upstream().setRoutes([() => ({ body: body.slice(0, 40) })]);
    const error = await failure(quoteAapl(finnhub().source));
    expect(error.code).toBe('UPSTREAM_MALFORMED');
    expect(error.detail).toContain('truncated');
  });

  it('rejects an empty body', async () => {
    upstream().setRoutes([() => ({ body: '' })]);
    const error = await failure(quoteAapl(finnhub().source));
    expect(error.code).toBe('UPSTREAM_MALFORMED');
    expect(error.detail).toContain('empty body');
  });

  it('rejects a body off schema', async () => {
    upstream().setRoutes([() => ({ body: '{"c":"308.82","t":1779480000}' })]);
    const error = await failure(quoteAapl(finnhub().source));
    expect(error.code).toBe('UPSTREAM_MALFORMED');
    expect(error.detail).toContain('at c');
  });
});

describe('FinnhubSource secrets', () => {
  it('keeps the key out', async () => {
    const echo = JSON.stringify({ error: `Invalid API key ${KEY}.` });
    upstream().setRoutes([() => ({ status: 401, body: echo })]);
    const { source, logger } = finnhub();
    const { result: error, printed } = await capturePrinted(() =>
      failure(quoteAapl(source)),
    );
    const status = JSON.stringify(await source.status());
    const logged = [
      ...logger.error.mock.calls,
      ...logger.warn.mock.calls,
      ...logger.log.mock.calls,
    ]
      .flat()
      .map(String);

    expect(error.detail).toContain('Invalid API key ***');
    expect(JSON.stringify(error)).not.toContain(KEY);
    expect(status).toContain('UPSTREAM_UNAUTHORIZED');
    expect([...logged, ...printed, status].join('\n')).not.toContain(KEY);
  });
});
