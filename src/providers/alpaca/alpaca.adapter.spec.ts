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
import { AlpacaSource } from './alpaca.adapter.js';
import type { AlpacaFeed } from './feed-access.js';
import { capturePrinted } from '../../../test/support/printed-output.js';

const KEY = 'AKTEST7Q2M4XZ';
const SECRET = 'sk-alpaca-test-9f3e1c5b';
/** Monday 2021-05-03, 10:46 in New York, a minute after the recorded snapshot. */
const NOW = Date.parse('2021-05-03T14:46:00Z');
const SNAPSHOT = '/v2/stocks/AAPL/snapshot';

const upstream = useFakeUpstream();

function alpaca(options: { timeoutMs?: number; feed?: AlpacaFeed } = {}) {
  const logger = fakeLogger();
  const context = testUpstreamContext({
    id: 'alpaca',
    baseUrl: upstream().baseUrl,
    key: KEY,
    secret: SECRET,
    now: NOW,
    timeoutMs: options.timeoutMs,
  });
  context.logger = logger as unknown as Logger;
  const source = new AlpacaSource(context, { feed: options.feed ?? 'iex' });

  return { source, logger };
}

const transcribed = (file: string, status = 200): FakeResponse => ({
  status,
  body: fixture(`alpaca/transcribed/${file}`),
});
const derived = (file: string, status = 200): FakeResponse => ({
  status,
  body: derivedFixture(`alpaca/${file}`),
});
const snapshot = () => transcribed('v2_stocks_AAPL_snapshot.json');
const recentSipDenial = () =>
  transcribed('error_403_subscription_does_not_permit_recent_sip.json', 403);

async function failure(promise: Promise<unknown>): Promise<UpstreamError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(UpstreamError);

  return error as UpstreamError;
}

describeWithTestData('AlpacaSource stock quotes', () => {
  it('reads the recorded snapshot', async () => {
    upstream().setRoutes([route(SNAPSHOT, { feed: 'iex' }, snapshot)]);
    const quote = await alpaca().source.getQuote(parseSymbol('AAPL'));
    expect(quote).toEqual({
      symbol: 'AAPL',
      assetClass: 'equity',
      currency: 'USD',
      exchange: null,
      price: 133.55,
      change: 2.09,
      changePercent: 1.5898,
      previousClose: 131.46,
      open: 132.04,
      high: 134.07,
      low: 131.83,
      volume: 25094213,
      bid: 133.54,
      ask: 133.55,
      session: 'regular',
      asOf: Date.parse('2021-05-03T14:45:50.456Z'),
      source: 'alpaca',
      stale: false,
      delayed: 0,
    });
  });

  it('sends both credential headers', async () => {
    upstream().setRoutes([() => snapshot()]);
    await alpaca().source.getQuote(parseSymbol('AAPL'));
    const call = upstream().calls[0];
    expect(call?.headers['apca-api-key-id']).toBe(KEY);
    expect(call?.headers['apca-api-secret-key']).toBe(SECRET);
    expect(call?.query).toEqual({ feed: 'iex' });
  });

  it('gives one quote in every zone', async () => {
    upstream().setRoutes([() => snapshot()]);
    const original = process.env.TZ;
    const quotes: string[] = [];
    try {
      for (const zone of ['UTC', 'America/Los_Angeles', 'Asia/Tokyo']) {
        process.env.TZ = zone;
        const quote = await alpaca().source.getQuote(parseSymbol('AAPL'));
        quotes.push(JSON.stringify(quote));
      }
    } finally {
      if (original === undefined) delete process.env.TZ;
      else process.env.TZ = original;
    }
    expect(quotes[1]).toBe(quotes[0]);
    expect(quotes[2]).toBe(quotes[0]);
  });

  it('sends BRK.B in the path', async () => {
    upstream().setRoutes([route('/v2/stocks/BRK.B/snapshot', {}, snapshot)]);
    const quote = await alpaca().source.getQuote(parseSymbol('BRK-B'));
    expect(quote.symbol).toBe('BRK.B');
    expect(upstream().calls[0]?.path).toBe('/v2/stocks/BRK.B/snapshot');
  });

  it('completes a snapshot from latest endpoints', async () => {
    upstream().setRoutes([
      route(SNAPSHOT, {}, () =>
        derived('v2_stocks_AAPL_snapshot_without_latest.json'),
      ),
      route('/v2/stocks/AAPL/trades/latest', { feed: 'iex' }, () =>
        transcribed('v2_stocks_AAPL_trades_latest.json'),
      ),
      route('/v2/stocks/AAPL/quotes/latest', { feed: 'iex' }, () =>
        transcribed('v2_stocks_AAPL_quotes_latest.json'),
      ),
    ]);
    const quote = await alpaca().source.getQuote(parseSymbol('AAPL'));
    expect(quote).toMatchObject({
      price: 134.7,
      bid: 134.66,
      ask: 134.68,
      previousClose: 131.46,
      asOf: Date.parse('2021-04-20T12:40:34.484Z'),
    });
    expect(
      upstream()
        .calls.map((call) => call.path)
        .sort(),
    ).toEqual([
      '/v2/stocks/AAPL/quotes/latest',
      SNAPSHOT,
      '/v2/stocks/AAPL/trades/latest',
    ]);
  });

  it('prices from bars when completion fails', async () => {
    upstream().setRoutes([
      route(SNAPSHOT, {}, () =>
        derived('v2_stocks_AAPL_snapshot_without_latest.json'),
      ),
      () => ({ status: 500, body: 'internal error' }),
    ]);
    const { source, logger } = alpaca();
    const quote = await source.getQuote(parseSymbol('AAPL'));
    expect(quote.price).toBe(133.445);
    // The minute bar of 14:44 closed at 14:45.
    expect(quote.asOf).toBe(Date.parse('2021-05-03T14:45:00Z'));
    expect(quote.bid).toBeNull();
    expect(logger.warn).toHaveBeenCalledTimes(2);
    expect(String(logger.warn.mock.calls[0]?.[0])).toContain(
      'alpaca AAPL: UPSTREAM_UNAVAILABLE for the latest',
    );
  });

  it('rejects an empty snapshot', async () => {
    const body = JSON.stringify({
      symbol: 'ZZZZ',
      latestTrade: null,
      latestQuote: null,
      minuteBar: null,
      dailyBar: null,
      prevDailyBar: null,
    });
    upstream().setRoutes([() => ({ body })]);
    const error = await failure(alpaca().source.getQuote(parseSymbol('ZZZZ')));
    expect(error.code).toBe('SYMBOL_NOT_FOUND');
    expect(upstream().calls).toHaveLength(1);
  });

  it.each(['^GSPC', 'EUR-USD', '4063.T'])(
    'rejects %s without calling',
    async (text) => {
      const error = await failure(alpaca().source.getQuote(parseSymbol(text)));
      expect(error.code).toBe('SYMBOL_NOT_FOUND');
      expect(upstream().calls).toHaveLength(0);
    },
  );
});

describeWithTestData('AlpacaSource SIP quotes', () => {
  it('retries once on IEX', async () => {
    upstream().setRoutes([
      route(SNAPSHOT, { feed: 'sip' }, recentSipDenial),
      route(SNAPSHOT, { feed: 'iex' }, snapshot),
    ]);
    const { source, logger } = alpaca({ feed: 'sip' });
    const quote = await source.getQuote(parseSymbol('AAPL'));
    expect(quote.price).toBe(133.55);
    expect(upstream().calls.map((call) => call.query.feed)).toEqual([
      'sip',
      'iex',
    ]);
    expect(String(logger.warn.mock.calls[0]?.[0])).toContain(
      'alpaca AAPL: PLAN_NOT_PERMITTED for SIP latest data',
    );
  });

  it('reads IEX after a denial', async () => {
    upstream().setRoutes([
      route(SNAPSHOT, { feed: 'sip' }, recentSipDenial),
      route(SNAPSHOT, { feed: 'iex' }, snapshot),
    ]);
    const { source, logger } = alpaca({ feed: 'sip' });
    await source.getQuote(parseSymbol('AAPL'));
    await source.getQuote(parseSymbol('AAPL'));
    expect(upstream().calls.map((call) => call.query.feed)).toEqual([
      'sip',
      'iex',
      'iex',
    ]);
    expect(logger.warn).toHaveBeenCalledTimes(1);
  });

  it('keeps SIP when it is served', async () => {
    upstream().setRoutes([route(SNAPSHOT, { feed: 'sip' }, snapshot)]);
    const quote = await alpaca({ feed: 'sip' }).source.getQuote(
      parseSymbol('AAPL'),
    );
    expect(quote.price).toBe(133.55);
    expect(upstream().calls).toHaveLength(1);
  });

  it('fails when IEX is denied too', async () => {
    upstream().setRoutes([() => recentSipDenial()]);
    const error = await failure(
      alpaca({ feed: 'sip' }).source.getQuote(parseSymbol('AAPL')),
    );
    expect(error.code).toBe('PLAN_NOT_PERMITTED');
    expect(upstream().calls).toHaveLength(2);
  });
});

describeWithTestData('AlpacaSource crypto quotes', () => {
  const SNAPSHOTS = '/v1beta3/crypto/us/snapshots';

  it('reads the recorded snapshot', async () => {
    upstream().setRoutes([
      route(SNAPSHOTS, { symbols: 'ETH/USD' }, () =>
        transcribed('v1beta3_crypto_us_snapshots_ETH_USD.json'),
      ),
    ]);
    const quote = await alpaca().source.getQuote(parseSymbol('ETH-USD'));
    expect(quote).toEqual({
      symbol: 'ETH-USD',
      assetClass: 'crypto',
      currency: 'USD',
      exchange: null,
      price: 4393.18,
      change: 64.07,
      changePercent: 1.48,
      previousClose: 4329.11,
      open: 4329.11,
      high: 4455.62,
      low: 4231.55,
      volume: 95466.0903448,
      bid: 4405.27,
      ask: 4405.28,
      session: 'regular',
      asOf: Date.parse('2021-12-08T19:26:58.703Z'),
      source: 'alpaca',
      stale: false,
      delayed: 0,
    });
  });

  it('fills a missing quote', async () => {
    upstream().setRoutes([
      route(SNAPSHOTS, {}, () =>
        derived('v1beta3_crypto_us_snapshots_ETH_USD_without_quote.json'),
      ),
      route('/v1beta3/crypto/us/latest/quotes', { symbols: 'ETH/USD' }, () =>
        derived('v1beta3_crypto_us_latest_quotes_ETH_USD.json'),
      ),
    ]);
    const quote = await alpaca().source.getQuote(parseSymbol('ETH-USD'));
    expect(quote.bid).toBe(4405.27);
    expect(quote.ask).toBe(4405.28);
    expect(upstream().calls).toHaveLength(2);
  });

  it('rejects an unknown pair', async () => {
    upstream().setRoutes([
      () => derived('v1beta3_crypto_us_snapshots_empty.json'),
    ]);
    const error = await failure(
      alpaca().source.getQuote(parseSymbol('PEPE-USD')),
    );
    expect(error.code).toBe('SYMBOL_NOT_FOUND');
    expect(upstream().calls[0]?.query).toEqual({ symbols: 'PEPE/USD' });
  });
});

describeWithTestData('AlpacaSource error payloads', () => {
  it('maps the nginx 401 page', async () => {
    upstream().setRoutes([
      () => ({
        ...derived('error_401_authorization_required.html', 401),
        headers: { 'content-type': 'text/html' },
      }),
    ]);
    const error = await failure(alpaca().source.getQuote(parseSymbol('AAPL')));
    expect(error.code).toBe('UPSTREAM_UNAUTHORIZED');
    expect(error.detail).toContain('401 Authorization Required');
  });

  it('maps 403 forbidden to unauthorized', async () => {
    upstream().setRoutes([() => derived('error_403_forbidden.json', 403)]);
    const error = await failure(alpaca().source.getQuote(parseSymbol('AAPL')));
    expect(error.code).toBe('UPSTREAM_UNAUTHORIZED');
  });

  it('maps recent SIP on IEX', async () => {
    upstream().setRoutes([() => recentSipDenial()]);
    const error = await failure(alpaca().source.getQuote(parseSymbol('AAPL')));
    expect(error.code).toBe('PLAN_NOT_PERMITTED');
    expect(upstream().calls).toHaveLength(1);
  });

  it('maps 422 to not found', async () => {
    upstream().setRoutes([() => derived('error_422_invalid_symbol.json', 422)]);
    const error = await failure(alpaca().source.getQuote(parseSymbol('ZZZZ')));
    expect(error.code).toBe('SYMBOL_NOT_FOUND');
  });

  it('logs a rejected parameter', async () => {
    upstream().setRoutes([
      () => transcribed('error_400_invalid_timeframe_30Sec.json', 400),
    ]);
    const { source, logger } = alpaca();
    const error = await failure(source.getQuote(parseSymbol('AAPL')));
    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(error.detail).toContain('invalid timeframe: 30Sec');
    expect(logger.error).toHaveBeenCalledTimes(1);
  });
});

describeWithTestData('AlpacaSource transport failures', () => {
  it('retries a 429 after Retry-After', async () => {
    let calls = 0;
    upstream().setRoutes([
      () => {
        calls += 1;
        return calls === 1
          ? {
              ...transcribed('error_429_too_many_requests.json', 429),
              headers: { 'retry-after': '0' },
            }
          : snapshot();
      },
    ]);
    const quote = await alpaca().source.getQuote(parseSymbol('AAPL'));
    expect(quote.price).toBe(133.55);
    expect(upstream().calls).toHaveLength(2);
  });

  it('fails over on a bare 429', async () => {
    upstream().setRoutes([
      () => transcribed('error_429_too_many_requests.json', 429),
    ]);
    const error = await failure(alpaca().source.getQuote(parseSymbol('AAPL')));
    expect(error.code).toBe('UPSTREAM_RATE_LIMITED');
    expect(upstream().calls).toHaveLength(1);
  });

  it('fails over on a long Retry-After', async () => {
    upstream().setRoutes([
      () => ({
        ...transcribed('error_429_too_many_requests.json', 429),
        headers: { 'retry-after': '30' },
      }),
    ]);
    const { source } = alpaca({ timeoutMs: 200 });
    const error = await failure(
      withDeadline(2000, () => source.getQuote(parseSymbol('AAPL'))),
    );
    expect(error.code).toBe('UPSTREAM_RATE_LIMITED');
    expect(error.retryAfterMs).toBe(30_000);
  });

  it('maps 5xx to unavailable', async () => {
    upstream().setRoutes([() => ({ status: 502, body: 'bad gateway' })]);
    const error = await failure(alpaca().source.getQuote(parseSymbol('AAPL')));
    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(error.upstreamStatus).toBe(502);
  });

  it('times out a slow response', async () => {
    upstream().setRoutes([() => ({ ...snapshot(), delayMs: 3000 })]);
    const started = Date.now();
    const { source } = alpaca({ timeoutMs: 100 });
    const error = await failure(source.getQuote(parseSymbol('AAPL')));
    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(error.detail).toContain('did not answer within 100 ms');
    expect(Date.now() - started).toBeLessThan(2500);
  });

  it('rejects an HTML page', async () => {
    upstream().setRoutes([
      () => ({
        ...derived('html_error_page.html'),
        headers: { 'content-type': 'text/html' },
      }),
    ]);
    const error = await failure(alpaca().source.getQuote(parseSymbol('AAPL')));
    expect(error.code).toBe('UPSTREAM_MALFORMED');
    expect(error.detail).toContain('HTML');
  });

  it('rejects truncated JSON', async () => {
    const body = snapshot().body ?? '';
    upstream().setRoutes([() => ({ body: body.slice(0, body.length / 2) })]);
    const error = await failure(alpaca().source.getQuote(parseSymbol('AAPL')));
    expect(error.code).toBe('UPSTREAM_MALFORMED');
    expect(error.detail).toContain('truncated');
  });

  it('rejects a body off schema', async () => {
    upstream().setRoutes([() => ({ body: '{"latestTrade":{"p":1}}' })]);
    const error = await failure(alpaca().source.getQuote(parseSymbol('AAPL')));
    expect(error.code).toBe('UPSTREAM_MALFORMED');
    expect(error.detail).toContain('latestTrade.t');
  });
});

describe('AlpacaSource secrets', () => {
  it('keeps both credentials out', async () => {
    const echo = JSON.stringify({
      message: `invalid request from key ${KEY} with secret ${SECRET}`,
    });
    upstream().setRoutes([() => ({ status: 400, body: echo })]);

    const { source, logger } = alpaca();
    const { result: error, printed } = await capturePrinted(() =>
      failure(source.getQuote(parseSymbol('AAPL'))),
    );
    const logged = [
      ...logger.error.mock.calls,
      ...logger.warn.mock.calls,
      ...logger.log.mock.calls,
      ...logger.debug.mock.calls,
    ]
      .flat()
      .map(String);
    const everything = [...logged, ...printed, JSON.stringify(error)].join(
      '\n',
    );
    expect(error.detail).toContain('from key *** with secret ***');
    expect(logged.join('\n')).toContain('with secret ***');
    expect(everything).not.toContain(KEY);
    expect(everything).not.toContain(SECRET);
  });
});
