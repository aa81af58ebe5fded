import type { Logger } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { fakeLogger } from '../../../test/support/fake-logger.js';
import {
  derivedFixture,
  route,
  useFakeUpstream,
  type FakeResponse,
} from '../../../test/support/fake-upstream.js';
import {
  testUpstreamContext,
  type TestContextOptions,
} from '../../../test/support/upstream-context.js';
import { withDeadline } from '../../common/request-deadline.js';
import { parseSymbol } from '../../market/symbol.js';
import { UpstreamError } from '../upstream/upstream.errors.js';
import { CATALOG_TTL_MS } from './coinbase-catalog.js';
import { USER_AGENT } from './coinbase-http.js';
import { CoinbaseSource } from './coinbase.adapter.js';

const upstream = useFakeUpstream();

/** Friday 2024-03-15, 14:30 UTC, just after the trade in the ticker payload. */
const NOW = Date.parse('2024-03-15T14:30:00Z');
const TICKER = '/products/BTC-USD/ticker';
const STATS = '/products/BTC-USD/stats';
const BTC_USD = parseSymbol('BTC-USD', { context: 'crypto' });

function payload(name: string, status = 200): FakeResponse {
  return { status, body: derivedFixture(`coinbase/${name}`) };
}

function coinbase(options: Partial<TestContextOptions> = {}) {
  const logger = fakeLogger();
  const context = testUpstreamContext({
    id: 'coinbase',
    baseUrl: upstream().baseUrl,
    key: null,
    now: NOW,
    ...options,
  });
  const source = new CoinbaseSource({
    ...context,
    logger: logger as unknown as Logger,
  });

  return { source, logger, context };
}

function serveQuote(
  ticker: FakeResponse | (() => FakeResponse),
  stats = payload('stats_BTC-USD.json'),
) {
  upstream().setRoutes([route(TICKER, {}, ticker), route(STATS, {}, stats)]);
}

function serveProducts(): void {
  upstream().setRoutes([route('/products', {}, payload('products.json'))]);
}

async function failure(promise: Promise<unknown>): Promise<UpstreamError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(UpstreamError);

  return error as UpstreamError;
}

describe('CoinbaseSource quotes', () => {
  it('quotes BTC-USD from ticker and stats', async () => {
    serveQuote(payload('ticker_BTC-USD.json'));
    const quote = await coinbase().source.getQuote(BTC_USD);
    expect(quote).toEqual({
      symbol: 'BTC-USD',
      assetClass: 'crypto',
      currency: 'USD',
      exchange: null,
      price: 68512.44,
      change: -2299.83,
      changePercent: -3.2478,
      previousClose: 70812.27,
      open: 70812.27,
      high: 72357.13,
      low: 65630,
      volume: 24031.51768811,
      bid: 68512.43,
      ask: 68512.44,
      session: 'regular',
      asOf: Date.parse('2024-03-15T14:29:59.823Z'),
      source: 'coinbase',
      stale: false,
      delayed: 0,
    });
  });

  it('sends a User-Agent naming the product', async () => {
    serveQuote(payload('ticker_BTC-USD.json'));
    await coinbase().source.getQuote(BTC_USD);
    const agents = upstream().calls.map((call) => call.headers['user-agent']);
    expect(agents).toEqual([USER_AGENT, USER_AGENT]);
    expect(USER_AGENT).toContain('market-data-api');
  });

  it('maps BTCUSDT to BTC-USDT', async () => {
    upstream().setRoutes([
      route('/products/BTC-USDT/ticker', {}, payload('ticker_BTC-USD.json')),
      route('/products/BTC-USDT/stats', {}, payload('stats_BTC-USD.json')),
    ]);
    const instrument = parseSymbol('BTCUSDT', { context: 'crypto' });
    const quote = await coinbase().source.getQuote(instrument);
    expect(quote.symbol).toBe('BTC-USDT');
    expect(quote.currency).toBe('USDT');
  });

  it('rejects a stock without a call', async () => {
    const error = await failure(
      coinbase().source.getQuote(parseSymbol('AAPL')),
    );
    expect(error.code).toBe('SYMBOL_NOT_FOUND');
    expect(upstream().calls).toHaveLength(0);
  });

  it('reads 404 NotFound as unknown', async () => {
    const notFound = payload('error_404_not_found.json', 404);
    upstream().setRoutes([
      route('/products/DOGE-BTC/ticker', {}, notFound),
      route('/products/DOGE-BTC/stats', {}, notFound),
    ]);
    const instrument = parseSymbol('DOGE-BTC', { context: 'crypto' });
    const error = await failure(coinbase().source.getQuote(instrument));
    expect(error.code).toBe('SYMBOL_NOT_FOUND');
    expect(error.detail).toContain('HTTP 404: NotFound');
  });

  it('serves the quote without stats', async () => {
    serveQuote(payload('ticker_BTC-USD.json'), {
      status: 500,
      body: 'internal error',
    });
    const { source, logger } = coinbase();
    const quote = await source.getQuote(BTC_USD);
    expect(quote.price).toBe(68512.44);
    expect(quote.previousClose).toBeNull();
    expect(quote.change).toBeNull();
    expect(String(logger.warn.mock.calls[0]?.[0])).toContain(
      'coinbase BTC-USD: UPSTREAM_UNAVAILABLE for the 24-hour stats',
    );
  });

  it('fails when the ticker fails', async () => {
    serveQuote({ status: 503, body: 'unavailable' });
    const error = await failure(coinbase().source.getQuote(BTC_USD));
    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(error.upstreamStatus).toBe(503);
  });

  it('retries a 502 when allowed', async () => {
    let tickers = 0;
    serveQuote(() => {
      tickers += 1;
      return tickers === 1
        ? { status: 502, body: 'bad gateway' }
        : payload('ticker_BTC-USD.json');
    });
    const quote = await coinbase({ retries: 1 }).source.getQuote(BTC_USD);
    expect(quote.price).toBe(68512.44);
    expect(tickers).toBe(2);
  });

  it('reads a bad request as our bug', async () => {
    serveQuote(payload('error_400_too_many_candles.json', 400));
    const { source, logger } = coinbase();
    const error = await failure(source.getQuote(BTC_USD));
    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(error.detail).toContain('HTTP 400');
    expect(logger.error).toHaveBeenCalledTimes(1);
    expect(String(logger.error.mock.calls[0]?.[0])).toContain(
      'coinbase BTC-USD: UPSTREAM_UNAVAILABLE',
    );
  });

  it('retries a 429 after Retry-After', async () => {
    let tickers = 0;
    serveQuote(() => {
      tickers += 1;
      return tickers === 1
        ? { status: 429, headers: { 'retry-after': '1' }, body: '' }
        : payload('ticker_BTC-USD.json');
    });
    const quote = await coinbase().source.getQuote(BTC_USD);
    expect(quote.price).toBe(68512.44);
    expect(tickers).toBe(2);
  });

  it('fails a 429 whose wait is too long', async () => {
    serveQuote({
      status: 429,
      headers: { 'retry-after': '30' },
      body: '{"message":"Too Many Requests"}',
    });
    const error = await failure(
      withDeadline(3000, () => coinbase().source.getQuote(BTC_USD)),
    );
    expect(error.code).toBe('UPSTREAM_RATE_LIMITED');
    expect(error.retryAfterMs).toBeGreaterThan(25_000);
  });

  it('gives up on a slow response', async () => {
    serveQuote({ ...payload('ticker_BTC-USD.json'), delayMs: 1500 });
    const error = await failure(
      coinbase({ timeoutMs: 200 }).source.getQuote(BTC_USD),
    );
    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(error.detail).toContain('did not answer');
  });

  it('rejects an HTML page', async () => {
    serveQuote({
      headers: { 'content-type': 'text/html; charset=utf-8' },
      body: derivedFixture('coinbase/html_error_page.html'),
    });
    const error = await failure(coinbase().source.getQuote(BTC_USD));
    expect(error.code).toBe('UPSTREAM_MALFORMED');
    expect(error.detail).toContain('HTML');
  });

  it('rejects truncated JSON', async () => {
    const text = derivedFixture('coinbase/ticker_BTC-USD.json');
    serveQuote({ body: text.slice(0, 60) });
    const error = await failure(coinbase().source.getQuote(BTC_USD));
    expect(error.code).toBe('UPSTREAM_MALFORMED');
    expect(error.detail).toContain('truncated');
  });

  it('rejects a ticker without price', async () => {
    const { price: _price, ...rest } = JSON.parse(
      derivedFixture('coinbase/ticker_BTC-USD.json'),
    ) as Record<string, unknown>;
    serveQuote({ body: JSON.stringify(rest) });
    const error = await failure(coinbase().source.getQuote(BTC_USD));
    expect(error.code).toBe('UPSTREAM_MALFORMED');
    expect(error.detail).toContain('at price');
  });
});

describe('CoinbaseSource profiles', () => {
  it('builds the BTC-USD profile', async () => {
    upstream().setRoutes([
      route('/products/BTC-USD', {}, payload('product_BTC-USD.json')),
    ]);
    const profile = await coinbase().source.getProfile(BTC_USD);
    expect(profile).toEqual({
      symbol: 'BTC-USD',
      assetClass: 'crypto',
      name: 'BTC-USD',
      exchange: null,
      currency: 'USD',
      country: null,
      sector: null,
      industry: null,
      description: 'BTC-USD on Coinbase Exchange, status online.',
      website: null,
      base: 'BTC',
      quote: 'USD',
      timeZone: 'UTC',
      coverage: null,
      source: 'coinbase',
      asOf: NOW,
      stale: false,
    });
  });

  it('describes a delisted product', async () => {
    const products = JSON.parse(derivedFixture('coinbase/products.json')) as {
      id: string;
    }[];
    const delisted = products.find((product) => product.id === 'XRP-BTC');
    upstream().setRoutes([
      route('/products/XRP-BTC', {}, { body: JSON.stringify(delisted) }),
    ]);
    const profile = await coinbase().source.getProfile(
      parseSymbol('XRP-BTC', { context: 'crypto' }),
    );
    expect(profile.description).toBe(
      'XRP-BTC on Coinbase Exchange, status delisted. Trading is disabled. Trading for XRP is suspended.',
    );
  });

  it('reads 404 as unknown', async () => {
    upstream().setRoutes([
      route('/products/BTC-ZAR', {}, payload('error_404_not_found.json', 404)),
    ]);
    const error = await failure(
      coinbase().source.getProfile(
        parseSymbol('BTC-ZAR', { context: 'crypto' }),
      ),
    );
    expect(error.code).toBe('SYMBOL_NOT_FOUND');
  });
});

describe('CoinbaseSource search', () => {
  it('searches the product list', async () => {
    serveProducts();
    const matches = await coinbase().source.search('btc', 10);
    expect(matches.map((match) => match.symbol)).toEqual([
      'BTC-EUR',
      'BTC-USD',
      'BTC-USDT',
      'ETH-BTC',
      'WBTC-BTC',
    ]);
    expect(matches[0]).toMatchObject({ source: 'coinbase', currency: 'EUR' });
  });

  it('leaves delisted products out', async () => {
    serveProducts();
    expect(await coinbase().source.search('xrp', 10)).toEqual([]);
  });

  it('reuses the list for five minutes', async () => {
    serveProducts();
    const { source, context } = coinbase();
    await source.search('btc', 10);
    await source.search('eth', 10);
    expect(upstream().calls).toHaveLength(1);
    context.clock.now = () => NOW + CATALOG_TTL_MS + 1;
    await source.search('sol', 10);
    expect(upstream().calls).toHaveLength(2);
  });

  it('shares one download between searches', async () => {
    upstream().setRoutes([
      route('/products', {}, { ...payload('products.json'), delayMs: 100 }),
    ]);
    const { source } = coinbase();
    const [btc, eth] = await Promise.all([
      source.search('btc', 10),
      source.search('eth', 10),
    ]);
    expect(btc).toHaveLength(5);
    expect(eth).toHaveLength(2);
    expect(upstream().calls).toHaveLength(1);
  });

  it('fetches again after a failure', async () => {
    upstream().setRoutes([route('/products', {}, { status: 500, body: '' })]);
    const { source } = coinbase();
    const error = await failure(source.search('btc', 10));
    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    serveProducts();
    expect(await source.search('btc', 1)).toHaveLength(1);
  });
});
