import { expect, it, vi } from 'vitest';
import { route, useFakeUpstream } from '../../../test/support/fake-upstream.js';
import { describeWithTestData } from '../../../test/support/test-data.js';
import {
  loggedText,
  testYahooSource,
  yahooDerived,
  yahooHandshakeRoutes,
  yahooRecording,
  YAHOO_COOKIE_PATH,
  YAHOO_COOKIE_VALUES,
  YAHOO_CRUMB,
} from '../../../test/support/yahoo-upstream.js';
import { withDeadline } from '../../common/request-deadline.js';
import { parseSymbol } from '../../market/symbol.js';
import { UpstreamError } from '../upstream/upstream.errors.js';

const upstream = useFakeUpstream();

const QUOTE_PATH = '/v7/finance/quote';

function serveQuote(symbols: string, recording: string): void {
  upstream().setRoutes([
    ...yahooHandshakeRoutes(),
    route(QUOTE_PATH, { symbols }, yahooRecording(recording)),
  ]);
}

async function failure(promise: Promise<unknown>): Promise<UpstreamError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(UpstreamError);

  return error as UpstreamError;
}

describeWithTestData('YahooSource quotes', () => {
  it('quotes AAPL from the recording', async () => {
    serveQuote('AAPL', 'quote-AAPL.json');
    const quote = await testYahooSource(upstream().baseUrl).source.getQuote(
      parseSymbol('AAPL'),
    );
    expect(quote).toMatchObject({
      symbol: 'AAPL',
      assetClass: 'equity',
      currency: 'USD',
      exchange: 'XNAS',
      price: 244.6,
      change: 3.0700073,
      changePercent: 1.2710667,
      previousClose: 241.53,
      open: 241.07,
      high: 245.41,
      low: 241,
      volume: 40896227,
      bid: 244.44,
      ask: 253.37,
      session: 'closed',
      asOf: 1739566800000,
      source: 'yahoo',
      stale: false,
      delayed: 0,
    });
  });

  it('sends the cookie and crumb', async () => {
    serveQuote('AAPL', 'quote-AAPL.json');
    await testYahooSource(upstream().baseUrl).source.getQuote(
      parseSymbol('AAPL'),
    );
    const paths = upstream().calls.map((call) => call.path);
    expect(paths).toEqual([YAHOO_COOKIE_PATH, '/v1/test/getcrumb', QUOTE_PATH]);
    expect(upstream().calls[1]?.headers.cookie).toContain('A3=d=');
    expect(upstream().calls[2]?.query.crumb).toBe(YAHOO_CRUMB);
    expect(upstream().calls[2]?.headers.cookie).toBe(
      upstream().calls[1]?.headers.cookie,
    );
  });

  it('reuses the crumb across calls', async () => {
    serveQuote('AAPL', 'quote-AAPL.json');
    const { source } = testYahooSource(upstream().baseUrl);
    await source.getQuote(parseSymbol('AAPL'));
    await source.getQuote(parseSymbol('AAPL'));
    const handshakes = upstream().calls.filter(
      (call) => call.path === YAHOO_COOKIE_PATH,
    );
    expect(handshakes).toHaveLength(1);
    expect(upstream().calls).toHaveLength(4);
  });

  it('shares one handshake between concurrent calls', async () => {
    serveQuote('AAPL', 'quote-AAPL.json');
    const { source } = testYahooSource(upstream().baseUrl);
    await Promise.all([
      source.getQuote(parseSymbol('AAPL')),
      source.getQuote(parseSymbol('AAPL')),
    ]);
    const crumbs = upstream().calls.filter(
      (call) => call.path === '/v1/test/getcrumb',
    );
    expect(crumbs).toHaveLength(1);
  });

  it('maps BRK.B to BRK-B', async () => {
    upstream().setRoutes([
      ...yahooHandshakeRoutes(),
      route(QUOTE_PATH, { symbols: 'BRK-B' }, yahooDerived('quote-BRK-B.json')),
    ]);
    const quote = await testYahooSource(upstream().baseUrl).source.getQuote(
      parseSymbol('brk.b'),
    );
    expect(quote.symbol).toBe('BRK.B');
    expect(quote.exchange).toBe('XNYS');
    expect(upstream().calls.at(-1)?.query.symbols).toBe('BRK-B');
  });

  it('quotes a currency pair', async () => {
    serveQuote('EURUSD=X', 'quote-EURUSD_X.json');
    const quote = await testYahooSource(upstream().baseUrl).source.getQuote(
      parseSymbol('EUR-USD'),
    );
    expect(quote.symbol).toBe('EUR-USD');
    expect(quote.assetClass).toBe('forex');
    expect(quote.price).toBe(1.0489877);
    expect(quote.exchange).toBeNull();
    expect(quote.volume).toBeNull();
  });

  it('leaves out a crossed bid and ask', async () => {
    serveQuote('EURUSD=X', 'quote-EURUSD_X.json');
    const quote = await testYahooSource(upstream().baseUrl).source.getQuote(
      parseSymbol('EUR-USD'),
    );
    expect(quote.bid).toBeNull();
    expect(quote.ask).toBeNull();
  });

  it('quotes a crypto pair', async () => {
    serveQuote('BTC-USD', 'quote-BTC-USD.json');
    const quote = await testYahooSource(upstream().baseUrl).source.getQuote(
      parseSymbol('BTC-USD'),
    );
    expect(quote.symbol).toBe('BTC-USD');
    expect(quote.price).toBe(96077.45);
    expect(quote.session).toBe('regular');
    expect(quote.exchange).toBeNull();
  });

  it('reports an empty result as not found', async () => {
    serveQuote('APS.AX', 'quote-APS.AX.json');
    const error = await failure(
      testYahooSource(upstream().baseUrl).source.getQuote(
        parseSymbol('APS.AX'),
      ),
    );
    expect(error.code).toBe('SYMBOL_NOT_FOUND');
  });

  it('reports a priceless row as not found', async () => {
    serveQuote('BRKS', 'quote-BRKS.json');
    const error = await failure(
      testYahooSource(upstream().baseUrl).source.getQuote(parseSymbol('BRKS')),
    );
    expect(error.code).toBe('SYMBOL_NOT_FOUND');
  });
});

describeWithTestData('YahooSource crumb refresh', () => {
  it('refreshes an invalid crumb once', async () => {
    let quoteCalls = 0;
    upstream().setRoutes([
      ...yahooHandshakeRoutes(),
      route(QUOTE_PATH, {}, () => {
        quoteCalls += 1;
        return quoteCalls === 1
          ? yahooDerived('quote-AAPL.invalid-crumb.401.json')
          : yahooRecording('quote-AAPL.json');
      }),
    ]);
    const { source, logger } = testYahooSource(upstream().baseUrl);
    const quote = await source.getQuote(parseSymbol('AAPL'));
    expect(quote.price).toBe(244.6);
    expect(upstream().calls.map((call) => call.path)).toEqual([
      YAHOO_COOKIE_PATH,
      '/v1/test/getcrumb',
      QUOTE_PATH,
      YAHOO_COOKIE_PATH,
      '/v1/test/getcrumb',
      QUOTE_PATH,
    ]);
    expect(logger.warn.mock.calls.flat().join('\n')).toContain(
      'UPSTREAM_UNAUTHORIZED',
    );
  });

  it('scrubs a cookie the crumb endpoint echoes', async () => {
    const echoed =
      'Invalid Cookie A3=d=TESTA3COOKIEVALUE0001&S=TESTA3SIGNATURE; A1=d=TESTA1COOKIEVALUE0001&S=TESTA1SIGNATURE';
    upstream().setRoutes([
      yahooHandshakeRoutes()[0] ?? route('/none', {}, {}),
      route(
        '/v1/test/getcrumb',
        {},
        {
          status: 401,
          body: JSON.stringify({
            finance: {
              result: null,
              error: { code: 'Unauthorized', description: echoed },
            },
          }),
        },
      ),
    ]);
    const { source, logger } = testYahooSource(upstream().baseUrl);
    const error = await failure(source.getQuote(parseSymbol('AAPL')));
    const exposed = `${error.detail}\n${loggedText(logger)}\n${JSON.stringify(source.status ? await source.status() : {})}`;
    for (const value of YAHOO_COOKIE_VALUES)
      expect(exposed).not.toContain(value);
    expect(error.detail).toContain('***');
  });

  it('gives up after one refresh', async () => {
    upstream().setRoutes([
      ...yahooHandshakeRoutes(),
      route(QUOTE_PATH, {}, yahooDerived('quote-AAPL.invalid-crumb.401.json')),
    ]);
    const error = await failure(
      testYahooSource(upstream().baseUrl).source.getQuote(parseSymbol('AAPL')),
    );
    expect(error.code).toBe('UPSTREAM_UNAUTHORIZED');
    expect(error.detail).toContain('Invalid Crumb');
    const quotes = upstream().calls.filter((call) => call.path === QUOTE_PATH);
    expect(quotes).toHaveLength(2);
  });

  it('fails without a consent cookie', async () => {
    upstream().setRoutes([
      route(YAHOO_COOKIE_PATH, {}, { status: 404, body: 'not found' }),
    ]);
    const error = await failure(
      testYahooSource(upstream().baseUrl).source.getQuote(parseSymbol('AAPL')),
    );
    expect(error.code).toBe('UPSTREAM_UNAUTHORIZED');
    expect(error.detail).toContain('YAHOO_COOKIE_URL');
  });

  it('rejects an HTML crumb page', async () => {
    upstream().setRoutes([
      route(YAHOO_COOKIE_PATH, {}, yahooDerived('handshake-cookie.json')),
      route('/v1/test/getcrumb', {}, yahooDerived('error-page.html.json')),
    ]);
    const error = await failure(
      testYahooSource(upstream().baseUrl).source.getQuote(parseSymbol('AAPL')),
    );
    expect(error.code).toBe('UPSTREAM_MALFORMED');
  });
});

describeWithTestData('YahooSource quote failures', () => {
  it('rejects an HTML page', async () => {
    upstream().setRoutes([
      ...yahooHandshakeRoutes(),
      route(QUOTE_PATH, {}, yahooDerived('error-page.html.json')),
    ]);
    const error = await failure(
      testYahooSource(upstream().baseUrl).source.getQuote(parseSymbol('AAPL')),
    );
    expect(error.code).toBe('UPSTREAM_MALFORMED');
    expect(error.detail).toContain('HTML');
  });

  it('fails over on a 429 with Retry-After', async () => {
    upstream().setRoutes([
      ...yahooHandshakeRoutes(),
      route(
        QUOTE_PATH,
        {},
        {
          status: 429,
          headers: { 'retry-after': '120' },
          body: 'Too Many Requests',
        },
      ),
    ]);
    const { source } = testYahooSource(upstream().baseUrl);
    const error = await failure(
      withDeadline(3000, () => source.getQuote(parseSymbol('AAPL'))),
    );
    expect(error.code).toBe('UPSTREAM_RATE_LIMITED');
    expect(error.retryAfterMs).toBe(120_000);
  });

  it('reports a 5xx as unavailable', async () => {
    upstream().setRoutes([
      ...yahooHandshakeRoutes(),
      route(QUOTE_PATH, {}, { status: 502, body: 'bad gateway' }),
    ]);
    const error = await failure(
      testYahooSource(upstream().baseUrl).source.getQuote(parseSymbol('AAPL')),
    );
    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
  });

  it('gives up on a slow answer', async () => {
    upstream().setRoutes([
      ...yahooHandshakeRoutes(),
      route(
        QUOTE_PATH,
        {},
        { ...yahooRecording('quote-AAPL.json'), delayMs: 600 },
      ),
    ]);
    const { source } = testYahooSource(upstream().baseUrl, { timeoutMs: 200 });
    const error = await failure(source.getQuote(parseSymbol('AAPL')));
    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(error.detail).toContain('200 ms');
  });

  it('rejects a payload of the wrong shape', async () => {
    upstream().setRoutes([
      ...yahooHandshakeRoutes(),
      route(QUOTE_PATH, {}, { body: '{"quoteResponse":{"result":"none"}}' }),
    ]);
    const error = await failure(
      testYahooSource(upstream().baseUrl).source.getQuote(parseSymbol('AAPL')),
    );
    expect(error.code).toBe('UPSTREAM_MALFORMED');
    expect(error.detail).toContain('quoteResponse.result');
  });
});

describeWithTestData('YahooSource profiles', () => {
  const SUMMARY_PATH = '/v10/finance/quoteSummary/AAPL';

  it('builds the AAPL profile', async () => {
    upstream().setRoutes([
      ...yahooHandshakeRoutes(),
      route(
        SUMMARY_PATH,
        { modules: 'assetProfile,price', crumb: YAHOO_CRUMB },
        yahooDerived('quoteSummary-assetProfile-price-AAPL.json'),
      ),
    ]);
    const profile = await testYahooSource(upstream().baseUrl, {
      now: 1_740_000_000_000,
    }).source.getProfile(parseSymbol('AAPL'));
    expect(profile).toMatchObject({
      symbol: 'AAPL',
      name: 'Apple Inc.',
      exchange: 'XNAS',
      currency: 'USD',
      country: 'United States',
      sector: 'Technology',
      industry: 'Consumer Electronics',
      website: 'https://www.apple.com',
      timeZone: 'America/New_York',
      source: 'yahoo',
      asOf: 1_740_000_000_000,
    });
    expect(profile.description).toMatch(/^Apple Inc\. designs/);
  });

  it('reports a pair without modules as unavailable', async () => {
    upstream().setRoutes([
      ...yahooHandshakeRoutes(),
      route(
        '/v10/finance/quoteSummary/EURUSD%3DX',
        {},
        yahooRecording('quoteSummary-assetProfile-EURUSD_X.404.json'),
      ),
    ]);
    const error = await failure(
      testYahooSource(upstream().baseUrl).source.getProfile(
        parseSymbol('EUR-USD'),
      ),
    );
    expect(error.code).toBe('DATA_NOT_AVAILABLE');
    expect(error.upstreamStatus).toBe(404);
  });

  it('reports an unknown symbol as not found', async () => {
    upstream().setRoutes([
      ...yahooHandshakeRoutes(),
      route(
        '/v10/finance/quoteSummary/ZZZZ',
        {},
        yahooDerived('quoteSummary-ZZZZ.404.json'),
      ),
    ]);
    const error = await failure(
      testYahooSource(upstream().baseUrl).source.getProfile(
        parseSymbol('ZZZZ'),
      ),
    );
    expect(error.code).toBe('SYMBOL_NOT_FOUND');
  });
});

describeWithTestData('YahooSource search', () => {
  it('keeps equities and ETFs', async () => {
    upstream().setRoutes([
      route(
        '/v1/finance/search',
        { q: 'AAPL', newsCount: '0' },
        yahooRecording('search-AAPL.json'),
      ),
    ]);
    const matches = await testYahooSource(upstream().baseUrl).source.search(
      'AAPL',
      10,
    );
    expect(matches).toEqual([
      {
        symbol: 'AAPL',
        name: 'Apple Inc.',
        assetClass: 'equity',
        exchange: 'XNAS',
        currency: 'USD',
        source: 'yahoo',
      },
      {
        symbol: 'AAPU',
        name: 'Direxion Daily AAPL Bull 2X Shares',
        assetClass: 'equity',
        exchange: 'XNAS',
        currency: 'USD',
        source: 'yahoo',
      },
    ]);
  });

  it('needs no crumb', async () => {
    upstream().setRoutes([
      route('/v1/finance/search', {}, yahooRecording('search-AAPL.json')),
    ]);
    await testYahooSource(upstream().baseUrl).source.search('AAPL', 10);
    expect(upstream().calls.map((call) => call.path)).toEqual([
      '/v1/finance/search',
    ]);
  });
});

describeWithTestData('YahooSource secrets', () => {
  it('logs and returns no cookie or crumb', async () => {
    const written: string[] = [];
    const record = (chunk: unknown) => {
      written.push(String(chunk));
      return true;
    };
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(record);
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(record);
    const details: string[] = [];
    const { source, logger } = testYahooSource(upstream().baseUrl);
    try {
      upstream().setRoutes([
        ...yahooHandshakeRoutes(),
        route(
          QUOTE_PATH,
          {},
          yahooDerived('quote-AAPL.invalid-crumb.401.json'),
        ),
        route(/quoteSummary/, {}, yahooDerived('error-page.html.json')),
      ]);
      for (const call of [
        () => source.getQuote(parseSymbol('AAPL')),
        () => source.getProfile(parseSymbol('AAPL')),
      ]) {
        details.push((await failure(call())).detail);
      }
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
    }
    const output = [...written, ...details, loggedText(logger)].join('\n');
    expect(output).toContain('UPSTREAM_UNAUTHORIZED');
    for (const secret of [YAHOO_CRUMB, ...YAHOO_COOKIE_VALUES]) {
      expect(output).not.toContain(secret);
    }
  });
});
