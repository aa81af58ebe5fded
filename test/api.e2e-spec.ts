import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';

/** A Wednesday during the regular session, so equities have a forming day. */
const NOW = Date.parse('2024-03-13T17:00:00Z');

let api: TestApp;

beforeAll(async () => {
  api = await startTestApp({ now: NOW });
});

afterAll(async () => {
  await api.close();
});

describe('quotes endpoints', () => {
  it('quotes a stock with its source', async () => {
    const { status, body } = await api.json('/api/quotes/AAPL');
    expect(status).toBe(200);
    expect(body).toMatchObject({
      symbol: 'AAPL',
      assetClass: 'equity',
      source: 'simulated',
      stale: false,
    });
    expect(typeof body.price).toBe('number');
    expect(body.asOf).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });

  it('reads share classes in any spelling', async () => {
    const dashed = await api.json('/api/quotes/brk-b');
    expect(dashed.status).toBe(200);
    expect(dashed.body.symbol).toBe('BRK.B');
  });

  it('quotes an index, a crypto pair and a currency pair', async () => {
    for (const [path, symbol, assetClass] of [
      ['/api/quotes/%5EGSPC', '^GSPC', 'index'],
      ['/api/quotes/btcusd', 'BTC-USD', 'crypto'],
      ['/api/quotes/EURUSD', 'EUR-USD', 'forex'],
    ] as const) {
      const { status, body } = await api.json(path);
      expect(status, path).toBe(200);
      expect(body.symbol, path).toBe(symbol);
      expect(body.assetClass, path).toBe(assetClass);
    }
  });

  it('answers a batch with per-symbol errors', async () => {
    const { status, body } = await api.json<{
      quotes: { symbol: string }[];
      errors: { symbol: string; code: string }[];
    }>('/api/quotes?symbols=AAPL,BRK/B,BRK-B,ZZZZ,bad$,BTC/USD');
    expect(status).toBe(200);
    expect(body.quotes.map((quote) => quote.symbol)).toEqual([
      'AAPL',
      'BRK.B',
      'BTC-USD',
    ]);
    expect(body.errors).toEqual([
      expect.objectContaining({ symbol: 'bad$', code: 'INVALID_PARAMETER' }),
      expect.objectContaining({ symbol: 'ZZZZ', code: 'SYMBOL_NOT_FOUND' }),
    ]);
  });
});

describe('asset endpoints', () => {
  it('summarises a stock with its profile', async () => {
    const { status, body } = await api.json<{
      quote: { symbol: string };
      profile: { name: string } | null;
    }>('/api/stocks/MSFT');
    expect(status).toBe(200);
    expect(body.quote.symbol).toBe('MSFT');
    expect(body.profile?.name).toMatch(/Microsoft/);
  });

  it.each([
    ['/api/stocks/AAPL', 'AAPL'],
    ['/api/crypto/BTC', 'BTC-USD'],
    ['/api/forex/EUR-USD', 'EUR-USD'],
  ])('serves info and profile under %s', async (base, symbol) => {
    const info = await api.json(`${base}/info`);
    expect(info.status).toBe(200);
    expect(info.body.symbol).toBe(symbol);
    expect(info.body.sources).toMatchObject({ quote: ['simulated'] });
    const profile = await api.json(`${base}/profile`);
    expect(profile.status).toBe(200);
    expect(profile.body).toMatchObject({ symbol, source: 'simulated' });
  });

  it('reports the US session in stock info', async () => {
    const { body } = await api.json('/api/stocks/AAPL/info');
    expect(body.session).toBe('regular');
    expect(body.timeZone).toBe('America/New_York');
  });

  it('serves daily history with its time zone', async () => {
    const { status, body } = await api.json<{
      bars: { date: string; complete: boolean }[];
      timeZone: string;
      interval: string;
    }>('/api/stocks/AAPL/history?from=2024-03-04&to=2024-03-13');
    expect(status).toBe(200);
    expect(body.interval).toBe('1d');
    expect(body.timeZone).toBe('America/New_York');
    expect(body.bars.map((bar) => bar.date)).toEqual([
      '2024-03-04',
      '2024-03-05',
      '2024-03-06',
      '2024-03-07',
      '2024-03-08',
      '2024-03-11',
      '2024-03-12',
      '2024-03-13',
    ]);
    expect(body.bars.at(-1)?.complete).toBe(false);
    expect(body.bars[0]?.complete).toBe(true);
  });

  it('serves crypto history dated in UTC', async () => {
    const { body } = await api.json<{ timeZone: string; bars: unknown[] }>(
      '/api/crypto/ETH-USD/history?from=2024-03-09&to=2024-03-10',
    );
    expect(body.timeZone).toBe('UTC');
    expect(body.bars).toHaveLength(2);
  });

  it('serves intraday bars with instants', async () => {
    const { body } = await api.json<{ bars: { time: string }[] }>(
      '/api/stocks/AAPL/history?interval=1h&from=2024-03-12&to=2024-03-12',
    );
    expect(body.bars[0]?.time).toBe('2024-03-12T13:00:00.000Z');
    expect(body.bars.at(-1)?.time).toBe('2024-03-12T19:00:00.000Z');
  });

  it('pages forward with next', async () => {
    const first = await api.json<{
      bars: { date: string }[];
      next: string | null;
    }>('/api/stocks/AAPL/history?from=2024-03-04&to=2024-03-13&limit=3');
    expect(first.body.bars.map((bar) => bar.date)).toEqual([
      '2024-03-04',
      '2024-03-05',
      '2024-03-06',
    ]);
    expect(first.body.next).toEqual(expect.any(String));
    const second = await api.json<{ bars: { date: string }[] }>(
      `/api/stocks/AAPL/history?from=2024-03-04&to=2024-03-13&limit=3&cursor=${first.body.next ?? ''}`,
    );
    expect(second.body.bars.map((bar) => bar.date)).toEqual([
      '2024-03-07',
      '2024-03-08',
      '2024-03-11',
    ]);
  });

  it('pages back from the latest bars without from', async () => {
    const first = await api.json<{ bars: { date: string }[]; next: string }>(
      '/api/stocks/AAPL/history?to=2024-03-13&limit=2',
    );
    expect(first.body.bars.map((bar) => bar.date)).toEqual([
      '2024-03-12',
      '2024-03-13',
    ]);
    const second = await api.json<{ bars: { date: string }[] }>(
      `/api/stocks/AAPL/history?to=2024-03-13&limit=2&cursor=${first.body.next}`,
    );
    expect(second.body.bars.map((bar) => bar.date)).toEqual([
      '2024-03-08',
      '2024-03-11',
    ]);
  });

  it('links the next page', async () => {
    const response = await api.request(
      '/api/stocks/AAPL/history?from=2024-03-04&to=2024-03-13&limit=3&format=csv',
    );
    const link = response.headers.get('link') ?? '';
    expect(link).toMatch(
      /^<\/api\/stocks\/AAPL\/history\?from=2024-03-04&to=2024-03-13&limit=3&format=csv&cursor=[\w-]+>; rel="next"$/,
    );
    const next = await api.request(link.slice(1, link.indexOf('>')));
    expect((await next.text()).split('\n')[1]).toMatch(/^2024-03-07,/);
  });

  it('includes a month that starts before from', async () => {
    const { body } = await api.json<{ bars: { date: string }[] }>(
      '/api/stocks/AAPL/history?interval=1mo&from=2024-01-15&to=2024-02-10',
    );
    expect(body.bars.map((bar) => bar.date)).toEqual([
      '2024-01-01',
      '2024-02-01',
    ]);
  });

  it('serves history as CSV', async () => {
    const response = await api.request(
      '/api/stocks/AAPL/history?from=2024-03-04&to=2024-03-08&format=csv',
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(
      'text/csv; charset=utf-8',
    );
    const lines = (await response.text()).trim().split('\n');
    expect(lines[0]).toBe('date,open,high,low,close,volume,adjClose,complete');
    expect(lines).toHaveLength(6);
  });
});

describe('HTTP behaviour', () => {
  it('answers 304 to a matching If-None-Match', async () => {
    const path = '/api/stocks/AAPL/history?from=2024-03-04&to=2024-03-08';
    const first = await api.request(path);
    const etag = first.headers.get('etag');
    expect(etag).toBeTruthy();
    const second = await api.request(path, {
      headers: { 'if-none-match': etag ?? '' },
    });
    expect(second.status).toBe(304);
  });

  it('compresses when the client accepts it', async () => {
    const response = await api.request(
      '/api/stocks/AAPL/history?from=2023-01-01&to=2024-03-08',
      {
        headers: { 'accept-encoding': 'gzip' },
      },
    );
    expect(response.headers.get('content-encoding')).toBe('gzip');
    const body = JSON.parse(await response.text()) as { bars: unknown[] };
    expect(body.bars.length).toBeGreaterThan(250);
  });

  it('echoes a plain X-Request-Id', async () => {
    const response = await api.request('/api/quotes/AAPL', {
      headers: { 'x-request-id': 'client-42' },
    });
    expect(response.headers.get('x-request-id')).toBe('client-42');
  });

  it('replaces an unsafe X-Request-Id', async () => {
    const response = await api.request('/api/quotes/AAPL', {
      headers: { 'x-request-id': 'a b\tc' },
    });
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('market, symbols and providers', () => {
  it('reports market status from the calendar', async () => {
    const { status, body } = await api.json<{
      markets: { exchange: string; isOpen: boolean }[];
    }>('/api/market/status');
    expect(status).toBe(200);
    expect(
      body.markets.map((market) => [market.exchange, market.isOpen]),
    ).toEqual([
      ['NYSE', true],
      ['Nasdaq', true],
      ['Forex', true],
      ['Crypto', true],
    ]);
  });

  it('lets clients keep the status for its lifetime, never past a change', async () => {
    const midday = await api.request('/api/market/status');
    expect(midday.headers.get('cache-control')).toBe('public, max-age=300');
    const beforeClose = await startTestApp({
      now: Date.parse('2024-03-13T19:58:00Z'),
    });
    try {
      const response = await beforeClose.request('/api/market/status');
      expect(response.headers.get('cache-control')).toBe('public, max-age=120');
    } finally {
      await beforeClose.close();
    }
  });

  it('searches symbols', async () => {
    const { status, body } = await api.json<{ results: { symbol: string }[] }>(
      '/api/symbols?query=app',
    );
    expect(status).toBe(200);
    expect(body.results[0]?.symbol).toBe('AAPL');
  });

  it('lists providers with their order', async () => {
    const { status, body } = await api.json<{
      providers: { id: string; state: string }[];
      order: Record<string, string[]>;
    }>('/api/providers');
    expect(status).toBe(200);
    expect(
      body.providers.map((provider) => [provider.id, provider.state]),
    ).toEqual([
      ['simulated', 'up'],
      ['polygon', 'disabled'],
      ['alpaca', 'disabled'],
      ['finnhub', 'disabled'],
      ['alpha_vantage', 'disabled'],
      ['nasdaq_data_link', 'disabled'],
      ['yahoo', 'disabled'],
      ['coinbase', 'disabled'],
    ]);
    expect(body.order.history).toEqual(['simulated']);
  });

  it('describes problem types', async () => {
    const { status, body } = await api.json('/problems/symbol-not-found');
    expect(status).toBe(200);
    expect(body).toMatchObject({ code: 'SYMBOL_NOT_FOUND', status: 404 });
  });
});

describe('forex trading days', () => {
  let evening: TestApp;

  beforeAll(async () => {
    evening = await startTestApp({ now: Date.parse('2024-03-13T22:00:00Z') });
  });

  afterAll(async () => {
    await evening.close();
  });

  it('shows the session that opened at 17:00 New York', async () => {
    const { body } = await evening.json<{
      bars: { date: string; complete: boolean }[];
    }>('/api/forex/EUR-USD/history?from=2024-03-12');
    expect(body.bars.map((bar) => bar.date)).toEqual([
      '2024-03-12',
      '2024-03-13',
      '2024-03-14',
    ]);
    expect(body.bars.at(-1)?.complete).toBe(false);
  });
});

describe('history on the wall clock', () => {
  let live: TestApp;

  beforeAll(async () => {
    live = await startTestApp();
  });

  afterAll(async () => {
    await live.close();
  });

  it('keeps the ETag of a closed range', async () => {
    const path = '/api/stocks/AAPL/history?from=2024-03-04&to=2024-03-08';
    const first = await live.request(path);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const second = await live.request(path, {
      headers: { 'if-none-match': first.headers.get('etag') ?? '' },
    });
    expect(second.status).toBe(304);
  });
});
