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
import { PolygonSource } from './polygon.adapter.js';
import { capturePrinted } from '../../../test/support/printed-output.js';

const KEY = 'pk-test-5d1e9f';
/** Wednesday 2022-10-19, 12:05 in New York, while US markets are open. */
const NOW = Date.parse('2022-10-19T16:05:00Z');
const STOCKS = '/v2/snapshot/locale/us/markets/stocks/tickers';

const upstream = useFakeUpstream();

function polygon(options: { timeoutMs?: number } = {}) {
  const logger = fakeLogger();
  const context = testUpstreamContext({
    id: 'polygon',
    baseUrl: upstream().baseUrl,
    key: KEY,
    now: NOW,
    ...options,
  });
  context.logger = logger as unknown as Logger;

  return { source: new PolygonSource(context), logger };
}

const recorded = (file: string): FakeResponse => ({
  body: fixture(`polygon/${file}`),
});
const derived = (file: string, status = 200): FakeResponse => ({
  status,
  body: derivedFixture(`polygon/${file}`),
});

const snapshot = () =>
  recorded('v2_snapshot_locale_us_markets_stocks_tickers_AAPL.json');

async function failure(promise: Promise<unknown>): Promise<UpstreamError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(UpstreamError);

  return error as UpstreamError;
}

describeWithTestData('PolygonSource stock quotes', () => {
  it('reads the recorded snapshot', async () => {
    upstream().setRoutes([
      route(
        `${STOCKS}/AAPL`,
        {},
        recorded('v2_snapshot_locale_us_markets_stocks_tickers_AAPL.json'),
      ),
    ]);
    const quote = await polygon().source.getQuote(parseSymbol('AAPL'));
    expect(quote).toEqual({
      symbol: 'AAPL',
      assetClass: 'equity',
      currency: 'USD',
      exchange: null,
      price: 159.99,
      change: -3.65,
      changePercent: -2.2305,
      previousClose: 163.64,
      open: 161.84,
      high: 166.2,
      low: 159.8,
      volume: 68840127,
      bid: 159.98,
      ask: 159.99,
      session: 'regular',
      asOf: 1651251948294,
      source: 'polygon',
      stale: false,
      delayed: 0,
    });
  });

  it('gives one quote in every zone', async () => {
    upstream().setRoutes([() => snapshot()]);
    const original = process.env.TZ;
    const quotes: string[] = [];
    try {
      for (const zone of ['UTC', 'America/Los_Angeles', 'Asia/Tokyo']) {
        process.env.TZ = zone;
        const quote = await polygon().source.getQuote(parseSymbol('AAPL'));
        quotes.push(JSON.stringify(quote));
      }
    } finally {
      if (original === undefined) delete process.env.TZ;
      else process.env.TZ = original;
    }
    expect(quotes[1]).toBe(quotes[0]);
    expect(quotes[2]).toBe(quotes[0]);
  });

  it('sends the key as bearer', async () => {
    upstream().setRoutes([
      route(
        `${STOCKS}/AAPL`,
        {},
        recorded('v2_snapshot_locale_us_markets_stocks_tickers_AAPL.json'),
      ),
    ]);
    await polygon().source.getQuote(parseSymbol('AAPL'));
    expect(upstream().calls[0]?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(upstream().calls[0]?.query).toEqual({});
  });

  it('sends BRK.B unchanged', async () => {
    upstream().setRoutes([
      route(
        `${STOCKS}/BRK.B`,
        {},
        recorded('v2_snapshot_locale_us_markets_stocks_tickers_AAPL.json'),
      ),
    ]);
    const quote = await polygon().source.getQuote(parseSymbol('BRK-B'));
    expect(quote.symbol).toBe('BRK.B');
    expect(upstream().calls[0]?.path).toBe(`${STOCKS}/BRK.B`);
  });

  it('falls back to the previous close', async () => {
    upstream().setRoutes([
      route(
        `${STOCKS}/AAPL`,
        {},
        {
          status: 403,
          body: fixture(
            'polygon/transcribed/error_403_not_authorized_last_trade.json',
          ),
        },
      ),
      route(
        '/v2/aggs/ticker/AAPL/prev',
        {},
        recorded('v2_aggs_ticker_AAPL_prev.json'),
      ),
    ]);
    const quote = await polygon().source.getQuote(parseSymbol('AAPL'));
    expect(upstream().calls.map((call) => call.path)).toEqual([
      `${STOCKS}/AAPL`,
      '/v2/aggs/ticker/AAPL/prev',
    ]);
    expect(quote).toMatchObject({
      price: 156.8,
      open: 162.25,
      high: 162.34,
      low: 156.72,
      volume: 95595226,
      previousClose: null,
      change: null,
    });
    // The bar of 2022-04-26 is valid from that day's 16:00 New York close.
    expect(quote.asOf).toBe(Date.parse('2022-04-26T20:00:00Z'));
  });

  it('fails when both are forbidden', async () => {
    const forbidden = {
      status: 403,
      body: fixture(
        'polygon/transcribed/error_403_not_authorized_last_trade.json',
      ),
    };
    upstream().setRoutes([() => forbidden]);
    const error = await failure(polygon().source.getQuote(parseSymbol('AAPL')));
    expect(error.code).toBe('PLAN_NOT_PERMITTED');
    expect(upstream().calls).toHaveLength(2);
  });
});

describeWithTestData('PolygonSource index quotes', () => {
  it('drops the inconsistent range', async () => {
    upstream().setRoutes([
      route(
        '/v3/snapshot/indices',
        { 'ticker.any_of': 'I:SPX' },
        recorded('v3_snapshot_indices_ticker.any_of_SPX_2CAPx_2CAPy.json'),
      ),
    ]);
    const { source, logger } = polygon();
    const quote = await source.getQuote(parseSymbol('^GSPC'));
    expect(quote).toMatchObject({
      symbol: '^GSPC',
      assetClass: 'index',
      price: 3822.39,
      open: 3827.38,
      high: null,
      low: null,
      previousClose: 3812.19,
      asOf: NOW,
    });
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(String(logger.warn.mock.calls[0]?.[0])).toContain(
      'polygon ^GSPC: dropped inconsistent quote fields: high and low',
    );
  });

  it('treats NOT_ENTITLED as plan', async () => {
    upstream().setRoutes([
      route(
        '/v3/snapshot/indices',
        { 'ticker.any_of': 'I:DJI' },
        derived('v3_snapshot_indices_I_DJI_not_entitled.json'),
      ),
      route(
        '/v2/aggs/ticker/I:DJI/prev',
        {},
        {
          status: 403,
          body: fixture(
            'polygon/transcribed/error_403_not_authorized_last_trade.json',
          ),
        },
      ),
    ]);
    const error = await failure(polygon().source.getQuote(parseSymbol('^DJI')));
    expect(error.code).toBe('PLAN_NOT_PERMITTED');
    expect(upstream().calls.map((call) => call.path)).toEqual([
      '/v3/snapshot/indices',
      '/v2/aggs/ticker/I:DJI/prev',
    ]);
  });

  it('rejects unmapped indices without calling', async () => {
    const error = await failure(
      polygon().source.getQuote(parseSymbol('^FTSE')),
    );
    expect(error.code).toBe('SYMBOL_NOT_FOUND');
    expect(upstream().calls).toHaveLength(0);
  });
});

describe('PolygonSource pair quotes', () => {
  it('reads a crypto snapshot', async () => {
    upstream().setRoutes([
      route(
        '/v2/snapshot/locale/global/markets/crypto/tickers/X:BTCUSD',
        {},
        derived('v2_snapshot_crypto_X_BTCUSD.json'),
      ),
    ]);
    const quote = await polygon().source.getQuote(parseSymbol('BTC-USD'));
    expect(quote).toMatchObject({
      symbol: 'BTC-USD',
      assetClass: 'crypto',
      currency: 'USD',
      price: 32154.68,
      previousClose: 33362.18,
      change: -1207.5,
      bid: null,
      ask: null,
      session: 'regular',
      asOf: 1666195204051,
    });
  });

  it('reads a forex snapshot', async () => {
    upstream().setRoutes([
      route(
        '/v2/snapshot/locale/global/markets/forex/tickers/C:EURUSD',
        {},
        derived('v2_snapshot_forex_C_EURUSD.json'),
      ),
    ]);
    const quote = await polygon().source.getQuote(parseSymbol('EUR-USD'));
    expect(quote).toMatchObject({
      symbol: 'EUR-USD',
      assetClass: 'forex',
      price: 0.97989,
      bid: 0.97983,
      ask: 0.97995,
      previousClose: 0.98001,
      session: 'regular',
    });
  });
});

describeWithTestData('PolygonSource error payloads', () => {
  it('maps 401 to unauthorized', async () => {
    upstream().setRoutes([
      () => derived('error_401_unknown_api_key.json', 401),
    ]);
    const error = await failure(polygon().source.getQuote(parseSymbol('AAPL')));
    expect(error.code).toBe('UPSTREAM_UNAUTHORIZED');
    expect(error.detail).toContain('Unknown API Key');
  });

  it('maps 404 to not found', async () => {
    upstream().setRoutes([
      () => derived('error_404_ticker_not_found.json', 404),
    ]);
    const error = await failure(polygon().source.getQuote(parseSymbol('ZZZZ')));
    expect(error.code).toBe('SYMBOL_NOT_FOUND');
  });

  it('logs a rejected parameter', async () => {
    upstream().setRoutes([
      () => ({
        status: 400,
        body: fixture('polygon/transcribed/error_400_bad_query_param.json'),
      }),
    ]);
    const { source, logger } = polygon();
    const error = await failure(source.getQuote(parseSymbol('AAPL')));
    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(error.detail).toContain("Field validation for 'Limit' failed");
    expect(logger.error).toHaveBeenCalledTimes(1);
  });

  it('reads an error inside 200', async () => {
    upstream().setRoutes([
      () => ({
        body: fixture(
          'polygon/transcribed/error_403_not_authorized_last_trade.json',
        ),
      }),
    ]);
    const error = await failure(polygon().source.getQuote(parseSymbol('AAPL')));
    expect(error.code).toBe('PLAN_NOT_PERMITTED');
  });
});

describeWithTestData('PolygonSource transport failures', () => {
  it('retries a 429 after Retry-After', async () => {
    let calls = 0;
    upstream().setRoutes([
      () => {
        calls += 1;
        return calls === 1
          ? { status: 429, headers: { 'retry-after': '0' }, body: '{}' }
          : snapshot();
      },
    ]);
    const quote = await polygon().source.getQuote(parseSymbol('AAPL'));
    expect(quote.price).toBe(159.99);
    expect(upstream().calls).toHaveLength(2);
  });

  it('fails over on a long Retry-After', async () => {
    upstream().setRoutes([
      () => ({ status: 429, headers: { 'retry-after': '30' }, body: '{}' }),
    ]);
    const { source } = polygon({ timeoutMs: 200 });
    const error = await failure(
      withDeadline(2000, () => source.getQuote(parseSymbol('AAPL'))),
    );
    expect(error.code).toBe('UPSTREAM_RATE_LIMITED');
    expect(error.retryAfterMs).toBe(30_000);
  });

  it('maps 5xx to unavailable', async () => {
    upstream().setRoutes([() => ({ status: 502, body: 'bad gateway' })]);
    const error = await failure(polygon().source.getQuote(parseSymbol('AAPL')));
    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
  });

  it('times out a slow response', async () => {
    upstream().setRoutes([() => ({ ...snapshot(), delayMs: 600 })]);
    const started = Date.now();
    const { source } = polygon({ timeoutMs: 100 });
    const error = await failure(source.getQuote(parseSymbol('AAPL')));
    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(Date.now() - started).toBeLessThan(550);
  });

  it('rejects an HTML page', async () => {
    upstream().setRoutes([
      () => ({
        headers: { 'content-type': 'text/html' },
        body: '<!DOCTYPE html><html><body><h1>Service maintenance</h1></body></html>',
      }),
    ]);
    const error = await failure(polygon().source.getQuote(parseSymbol('AAPL')));
    expect(error.code).toBe('UPSTREAM_MALFORMED');
    expect(error.detail).toContain('HTML');
  });

  it('rejects truncated JSON', async () => {
    const body = snapshot().body ?? '';
    upstream().setRoutes([() => ({ body: body.slice(0, body.length / 2) })]);
    const error = await failure(polygon().source.getQuote(parseSymbol('AAPL')));
    expect(error.code).toBe('UPSTREAM_MALFORMED');
  });

  it('rejects a body off schema', async () => {
    upstream().setRoutes([
      () => ({ body: '{"status":"OK","ticker":{"day":{}}}' }),
    ]);
    const error = await failure(polygon().source.getQuote(parseSymbol('AAPL')));
    expect(error.code).toBe('UPSTREAM_MALFORMED');
    expect(error.detail).toContain('ticker.ticker');
  });
});

describe('PolygonSource secrets', () => {
  it('keeps the key out', async () => {
    const echo = JSON.stringify({
      status: 'ERROR',
      request_id: 'x',
      error: `Unknown parameter apiKey=${KEY}`,
    });
    upstream().setRoutes([() => ({ status: 400, body: echo })]);

    const { source, logger } = polygon();
    const { result: error, printed } = await capturePrinted(() =>
      failure(source.getQuote(parseSymbol('AAPL'))),
    );
    const logged = [
      ...logger.error.mock.calls,
      ...logger.warn.mock.calls,
      ...logger.log.mock.calls,
    ]
      .flat()
      .map(String);
    expect(error.detail).toContain('apiKey=***');
    expect(JSON.stringify(error)).not.toContain(KEY);
    expect(logged.join('\n')).toContain('apiKey=***');
    expect([...logged, ...printed].join('\n')).not.toContain(KEY);
  });
});

describeWithTestData('PolygonSource profile and search', () => {
  it('reads the recorded details', async () => {
    upstream().setRoutes([
      route(
        '/v3/reference/tickers/AAPL',
        {},
        recorded('v3_reference_tickers_AAPL.json'),
      ),
    ]);
    const profile = await polygon().source.getProfile(parseSymbol('AAPL'));
    expect(profile).toMatchObject({
      symbol: 'AAPL',
      name: 'Apple Inc.',
      exchange: 'XNAS',
      currency: 'USD',
      country: 'US',
      industry: 'ELECTRONIC COMPUTERS',
      website: 'https://www.apple.com',
      timeZone: 'America/New_York',
      source: 'polygon',
      asOf: NOW,
    });
    expect(profile.description).toMatch(/^Apple designs/);
  });

  it('maps a missing profile', async () => {
    upstream().setRoutes([
      () => derived('error_404_ticker_not_found.json', 404),
    ]);
    const error = await failure(
      polygon().source.getProfile(parseSymbol('ZZZZ')),
    );
    expect(error.code).toBe('SYMBOL_NOT_FOUND');
  });

  it('searches the ticker reference', async () => {
    upstream().setRoutes([
      route(
        '/v3/reference/tickers',
        { search: 'a' },
        recorded('v3_reference_tickers.json'),
      ),
    ]);
    const matches = await polygon().source.search('a', 10);
    expect(upstream().calls[0]?.query).toEqual({
      search: 'a',
      active: 'true',
      limit: '10',
    });
    expect(matches).toEqual([
      {
        symbol: 'A',
        name: 'Agilent Technologies Inc.',
        assetClass: 'equity',
        exchange: 'XNYS',
        currency: 'USD',
        source: 'polygon',
      },
      {
        symbol: 'AA',
        name: 'Alcoa Corporation',
        assetClass: 'equity',
        exchange: 'XNYS',
        currency: 'USD',
        source: 'polygon',
      },
    ]);
  });

  it('skips tickers without canonical form', async () => {
    const body = JSON.stringify({
      status: 'OK',
      results: [
        {
          ticker: 'X:BTCUSD',
          name: 'Bitcoin - United States Dollar',
          market: 'crypto',
        },
        { ticker: 'O:NCLH221014C00005000', name: 'NCLH $5 Call' },
      ],
    });
    upstream().setRoutes([() => ({ body })]);
    const matches = await polygon().source.search('btc', 10);
    expect(matches.map((match) => match.symbol)).toEqual(['BTC-USD']);
  });
});
