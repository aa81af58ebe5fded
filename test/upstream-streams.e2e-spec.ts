import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Logger } from '@nestjs/common';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Clock } from '../src/common/clock.js';
import { loadConfig } from '../src/config/config.loader.js';
import type { UpstreamId } from '../src/config/upstream-config.js';
import type { Tick } from '../src/market/quote.js';
import { parseSymbol } from '../src/market/symbol.js';
import type { MarketDataSource } from '../src/providers/market-data-source.js';
import { createUpstream } from '../src/providers/source-factory.js';
import type { StreamState } from '../src/providers/upstream-stream/upstream-stream.client.js';
import { startTestApp, type TestApp } from './support/app.js';
import { readCapture } from './support/capture.js';
import { derivedFixture } from './support/fake-upstream.js';
import {
  startFakeStreamServer,
  waitUntil,
  type FakeStreamServer,
} from './support/fake-stream-server.js';
import { startRejectingStreamServer } from './support/rejecting-stream-server.js';
import { describeWithTestData, testDataPath } from './support/test-data.js';

const ALPACA_KEY_ID = 'AKSTREAM7Q2W';
const ALPACA_SECRET = 'sk-alpaca-stream-5e1b';
const FINNHUB_KEY = 'fh-stream-key-93ad';
const COINBASE_CAPTURE = 'coinbase/cryptofeed_COINBASE.ws.28.0.head2000.txt';

const transcribed = (source: 'alpaca' | 'finnhub', name: string) =>
  readFileSync(
    testDataPath('fixtures', source, 'transcribed', name),
    'utf8',
  ).trim();
const transcribedLines = (source: 'alpaca' | 'finnhub', name: string) =>
  transcribed(source, name).split('\n').filter(Boolean);

let server: FakeStreamServer;
let source: (MarketDataSource & { close(): Promise<void> }) | undefined;
let warnings: string[];
/** Empty working folder for the config loader, so no `.env` or YAML of the checkout is read. */
let cwd: string;

beforeEach(async () => {
  server = await startFakeStreamServer();
  cwd = mkdtempSync(path.join(tmpdir(), 'upstream-streams-'));
  warnings = [];
  vi.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => {
    warnings.push(String(message));
  });
});

afterEach(async () => {
  await source?.close();
  source = undefined;
  await server.close();
  rmSync(cwd, { recursive: true, force: true });
  vi.restoreAllMocks();
});

/**
 * Builds an upstream source as the app does: settings read by the config
 * loader, then the source factory.
 */
function buildSource(id: UpstreamId, env: Record<string, string>) {
  const config = loadConfig({
    env: { STREAM_RECONNECT_MAX_DELAY: '0.2', ...env },
    cwd,
  });
  const built = createUpstream(id, config, { clock: new Clock(), redis: null });
  source = built as MarketDataSource & { close(): Promise<void> };

  return source;
}

/** Subscribes through the source's stream and collects the ticks it emits. */
function collectTicks(
  built: MarketDataSource,
  symbols: Parameters<typeof parseSymbol>[],
): Tick[] {
  const stream = built.stream;
  if (!stream) throw new Error(`${built.id} was built without a stream`);
  const ticks: Tick[] = [];
  stream.ticks.subscribe((tick) => ticks.push(tick));
  stream.subscribe(symbols.map((args) => parseSymbol(...args)));

  return ticks;
}

async function streamState(built: MarketDataSource): Promise<StreamState> {
  const status = await built.status();

  return status.info?.stream as StreamState;
}

/** Figures of Alpaca's two connections, which its status lists by name. */
async function alpacaStreamStates(
  built: MarketDataSource,
): Promise<Record<'stocks' | 'crypto', StreamState>> {
  const status = await built.status();

  return status.info?.stream as Record<'stocks' | 'crypto', StreamState>;
}

/** Parsed frames the client sent on the fake server's connections to `urlPath`. */
function sentOn(urlPath: string): unknown[] {
  return server.connections
    .filter((connection) => connection.url === urlPath)
    .flatMap((connection) =>
      connection.received.map((frame) => JSON.parse(frame) as unknown),
    );
}

/** Settings that enable Alpaca with its stream on the fake server. */
const alpacaEnv = (secret: string) => ({
  ALPACA_KEY_ID,
  ALPACA_SECRET_KEY: secret,
  ALPACA_STREAM_URL: server.url,
});

describeWithTestData('Alpaca stream through the source', () => {
  const [connected, authenticated] = transcribedLines(
    'alpaca',
    'ws_v2_control_and_error_frames.alpaca-docs.ndjson',
  );
  const trades = transcribedLines(
    'alpaca',
    'ws_v2_iex_trade_frames.observed.ndjson',
  );
  // From the `subscription` confirmation on: trades, quotes, a bar and an
  // order book update of BTC/USD, written from Alpaca's documentation.
  const cryptoData = derivedFixture(
    'alpaca/ws_v1beta3_crypto_us_BTC_USD.written-from-docs.ndjson',
  )
    .split('\n')
    .filter(Boolean)
    .slice(2);

  /**
   * Replies as Alpaca does: `connected` on connection, success or error 402
   * after the credentials, then after a subscribe the recorded stock trades
   * on a stock path and the documented crypto frames on the crypto path.
   */
  function serveAlpaca(): void {
    server.onConnection((connection) => connection.send(connected ?? ''));
    server.onFrame((connection, frame) => {
      const message = JSON.parse(frame) as {
        action: string;
        key?: string;
        secret?: string;
      };
      if (message.action === 'auth') {
        const valid =
          message.key === ALPACA_KEY_ID && message.secret === ALPACA_SECRET;
        connection.send(
          valid
            ? (authenticated ?? '')
            : transcribed('alpaca', 'ws_v2_error_402_auth_failed.json'),
        );
      }
      // A lenient fake: the trades follow any subscribe, so only the client
      // keeps them from flowing after a failed authentication.
      if (message.action !== 'subscribe') return;
      const frames = connection.url.startsWith('/v1beta3/crypto/')
        ? cryptoData
        : trades;
      for (const data of frames) connection.send(data);
    });
  }

  it('delivers recorded trades as AAPL ticks', async () => {
    serveAlpaca();
    const built = buildSource('alpaca', alpacaEnv(ALPACA_SECRET));
    const ticks = collectTicks(built, [['AAPL']]);
    await waitUntil(() => ticks.length === 2);
    expect(ticks.map((tick) => [tick.symbol, tick.price])).toEqual([
      ['AAPL', 143.42],
      ['AAPL', 188.57],
    ]);
    expect(ticks[0]?.source).toBe('alpaca');
    expect(ticks[0]?.time).toBe(Date.parse('2021-10-08T15:13:03.133Z'));
    expect(server.connections.map((connection) => connection.url)).toEqual([
      '/v2/iex',
    ]);
  });

  it('opens only the crypto connection for BTC-USD', async () => {
    serveAlpaca();
    const built = buildSource('alpaca', alpacaEnv(ALPACA_SECRET));
    const ticks = collectTicks(built, [['BTC-USD']]);
    await waitUntil(() => ticks.length === 4);
    expect(server.connections.map((connection) => connection.url)).toEqual([
      '/v1beta3/crypto/us',
    ]);
  });

  it('streams AAPL and BTC-USD over two connections', async () => {
    serveAlpaca();
    const built = buildSource('alpaca', alpacaEnv(ALPACA_SECRET));
    const ticks = collectTicks(built, [['AAPL'], ['BTC-USD']]);
    await waitUntil(() => ticks.length === trades.length + 4);

    const prices = (symbol: string) =>
      ticks.filter((tick) => tick.symbol === symbol).map((tick) => tick.price);
    expect(prices('AAPL')).toEqual([143.42, 188.57]);
    // Trades at their price and quotes at their bid-ask midpoint.
    expect(prices('BTC-USD')).toEqual([71853.2, 71854.5, 71855.1, 71854]);
    expect(ticks.every((tick) => tick.source === 'alpaca')).toBe(true);
    const bitcoin = ticks.find((tick) => tick.symbol === 'BTC-USD');
    expect(bitcoin?.time).toBe(Date.parse('2024-03-12T10:37:14.402Z'));

    expect(
      server.connections.map((connection) => connection.url).sort(),
    ).toEqual(['/v1beta3/crypto/us', '/v2/iex']);
    const auth = {
      action: 'auth',
      key: ALPACA_KEY_ID,
      secret: ALPACA_SECRET,
    };
    expect(sentOn('/v1beta3/crypto/us')).toEqual([
      auth,
      { action: 'subscribe', trades: ['BTC/USD'], quotes: ['BTC/USD'] },
    ]);
    expect(sentOn('/v2/iex')).toEqual([
      auth,
      { action: 'subscribe', trades: ['AAPL'] },
    ]);

    const states = await alpacaStreamStates(built);
    expect(states.stocks.connected).toBe(true);
    expect(states.crypto.connected).toBe(true);
    expect(states.crypto.ticks).toBe(4);
  });

  it('unsubscribes BTC-USD on the crypto connection only', async () => {
    serveAlpaca();
    const built = buildSource('alpaca', alpacaEnv(ALPACA_SECRET));
    const ticks = collectTicks(built, [['AAPL'], ['BTC-USD']]);
    await waitUntil(() => ticks.length === trades.length + 4);
    built.stream?.unsubscribe(['BTC-USD']);
    await waitUntil(() => sentOn('/v1beta3/crypto/us').length === 3);
    expect(sentOn('/v1beta3/crypto/us')[2]).toEqual({
      action: 'unsubscribe',
      trades: ['BTC/USD'],
      quotes: ['BTC/USD'],
    });
    // Both connections batch changes for 50 ms, so a stray unsubscribe on
    // the stock connection would have arrived by now.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(sentOn('/v2/iex')).toHaveLength(2);
    const states = await alpacaStreamStates(built);
    expect(states.stocks.symbols).toBe(1);
    expect(states.crypto.symbols).toBe(0);
  });

  it('uses the SIP path when ALPACA_FEED=sip', async () => {
    serveAlpaca();
    const built = buildSource('alpaca', {
      ...alpacaEnv(ALPACA_SECRET),
      ALPACA_FEED: 'sip',
    });
    const ticks = collectTicks(built, [['AAPL']]);
    await waitUntil(() => ticks.length === 2);
    expect(server.connections[0]?.url).toBe('/v2/sip');
  });

  it('reports a rejected secret and emits no ticks', async () => {
    serveAlpaca();
    const built = buildSource('alpaca', alpacaEnv('wrong-secret'));
    const ticks = collectTicks(built, [['AAPL']]);
    await waitUntil(() => server.connections.length >= 2);
    const sent = server.connections.flatMap((connection) =>
      connection.received.map(
        (frame) => (JSON.parse(frame) as { action: string }).action,
      ),
    );
    expect(sent.every((action) => action === 'auth')).toBe(true);
    expect(ticks).toEqual([]);
    const state = (await alpacaStreamStates(built)).stocks;
    expect(state.connected).toBe(false);
    expect(state.lastError).toBe('authentication failed: auth failed');
    expect(warnings).toContain(
      'alpaca stream: authentication failed: auth failed',
    );
    expect(warnings.join('\n')).not.toContain('wrong-secret');
  });
});

describeWithTestData('Finnhub stream through the source', () => {
  const [aaplFrame] = transcribedLines(
    'finnhub',
    'ws_trades_AAPL_2023-03-31.websocket-client-trace.ndjson',
  );
  const bitcoinFrame = transcribed(
    'finnhub',
    'ws_trade_BINANCE_BTCUSDT_2024-07-21.json',
  );

  it('delivers recorded trades under canonical symbols', async () => {
    server.onFrame((connection, frame) => {
      const { symbol } = JSON.parse(frame) as { symbol: string };
      if (symbol === 'AAPL') connection.send(aaplFrame ?? '');
      if (symbol === 'BINANCE:BTCUSDT') connection.send(bitcoinFrame);
    });
    const built = buildSource('finnhub', {
      FINNHUB_KEY,
      FINNHUB_STREAM_URL: server.url,
    });
    const ticks = collectTicks(built, [['AAPL'], ['BTC-USD']]);
    const recordedAapl = (
      JSON.parse(aaplFrame ?? '') as { data: { p: number }[] }
    ).data.map((trade) => trade.p);
    await waitUntil(() => ticks.length === recordedAapl.length + 1);
    expect(server.connections[0]?.url).toBe(`/?token=${FINNHUB_KEY}`);
    const aapl = ticks.filter((tick) => tick.symbol === 'AAPL');
    expect(aapl.map((tick) => tick.price)).toEqual(recordedAapl);
    const bitcoin = ticks.filter((tick) => tick.symbol === 'BTC-USD');
    expect(bitcoin).toEqual([
      {
        symbol: 'BTC-USD',
        price: 66972.77,
        size: 0.01559,
        bid: undefined,
        ask: undefined,
        time: 1721555886208,
        source: 'finnhub',
      },
    ]);
  });

  it('reports a rejected key and emits no ticks', async () => {
    // Finnhub's public issue tracker shows a wrong token rejected with HTTP
    // 401 at the handshake. That body is not recorded, so the recorded REST
    // body for a wrong key is sent instead.
    const rejecting = await startRejectingStreamServer(
      401,
      transcribed('finnhub', 'error_401_invalid_api_key.json'),
    );
    try {
      const built = buildSource('finnhub', {
        FINNHUB_KEY: 'fh-wrong-key',
        FINNHUB_STREAM_URL: rejecting.url,
      });
      const ticks = collectTicks(built, [['AAPL']]);
      await waitUntil(() => rejecting.handshakes.length >= 2);
      expect(ticks).toEqual([]);
      const state = await streamState(built);
      expect(state.connected).toBe(false);
      expect(state.connects).toBe(0);
      expect(state.lastError).toBe('handshake answered HTTP 401');
      expect(warnings).toContain('finnhub stream: handshake answered HTTP 401');
      expect(warnings.join('\n')).not.toContain('fh-wrong-key');
    } finally {
      await source?.close();
      source = undefined;
      await rejecting.close();
    }
  });
});

describeWithTestData('Coinbase stream through the source', () => {
  const capture = readCapture(COINBASE_CAPTURE);

  it('delivers the recorded tickers of two products', async () => {
    server.onFrame((connection, frame) => {
      if (!frame.includes('"subscribe"')) return;
      for (const recorded of capture)
        if (recorded.direction === 'received') connection.send(recorded.frame);
    });
    const built = buildSource('coinbase', {
      COINBASE_ENABLED: 'true',
      COINBASE_STREAM_URL: server.url,
    });
    const ticks = collectTicks(built, [
      ['SKL-USD', { context: 'crypto' }],
      ['NMR-EUR', { context: 'crypto' }],
    ]);
    const expected = capture
      .filter((recorded) => recorded.direction === 'received')
      .map(
        (recorded) =>
          JSON.parse(recorded.frame) as {
            type: string;
            product_id?: string;
            price?: string;
          },
      )
      .filter(
        (message) =>
          message.type === 'ticker' &&
          (message.product_id === 'SKL-USD' ||
            message.product_id === 'NMR-EUR'),
      )
      .map((message) => [message.product_id, Number(message.price)]);
    expect(expected.length).toBeGreaterThan(2);
    await waitUntil(() => ticks.length === expected.length);
    expect(ticks.map((tick) => [tick.symbol, tick.price])).toEqual(expected);
    expect(ticks.every((tick) => tick.source === 'coinbase')).toBe(true);
    expect(server.connections[0]?.url).toBe('/');
  });
});

describe('upstream sources without credentials', () => {
  it.each(['alpaca', 'finnhub'] as const)(
    'builds %s without a stream',
    (id) => {
      const built = buildSource(id, {});
      expect(built.stream).toBeUndefined();
      expect(built.capabilities.has('stream')).toBe(false);
    },
  );
});

describe('stream capability in GET /api/providers', () => {
  let api: TestApp | undefined;

  afterEach(async () => {
    await api?.close();
    api = undefined;
  });

  interface ProvidersJson {
    providers: { id: string; state: string; capabilities: string[] }[];
    order: Record<string, string[]>;
  }

  it('lists stream for sources with credentials', async () => {
    api = await startTestApp({
      env: {
        ALPACA_KEY_ID,
        ALPACA_SECRET_KEY: ALPACA_SECRET,
        ALPACA_STREAM_URL: server.url,
        FINNHUB_KEY,
        FINNHUB_STREAM_URL: server.url,
        COINBASE_ENABLED: 'true',
        COINBASE_STREAM_URL: server.url,
      },
    });
    const { status, body } = await api.json<ProvidersJson>('/api/providers');
    expect(status).toBe(200);
    const capabilities = (id: string) =>
      body.providers.find((provider) => provider.id === id)?.capabilities;
    expect(capabilities('alpaca')).toEqual(['quote', 'history', 'stream']);
    expect(capabilities('finnhub')).toEqual([
      'quote',
      'profile',
      'search',
      'stream',
    ]);
    expect(capabilities('coinbase')).toEqual([
      'quote',
      'history',
      'profile',
      'search',
      'stream',
    ]);
    expect(body.order.stream).toEqual(['alpaca', 'finnhub', 'coinbase']);
    // Only a subscription opens a connection, so listing the capability opens none.
    expect(server.connections).toEqual([]);
  });

  it('lists no stream for sources without keys', async () => {
    api = await startTestApp({
      env: {
        ALPACA_STREAM_URL: server.url,
        FINNHUB_STREAM_URL: server.url,
      },
    });
    const { status, body } = await api.json<ProvidersJson>('/api/providers');
    expect(status).toBe(200);
    for (const id of ['alpaca', 'finnhub']) {
      const provider = body.providers.find((entry) => entry.id === id);
      expect(provider?.state).toBe('disabled');
      expect(provider?.capabilities).toEqual([]);
    }
    expect(body.order.stream).toEqual(['simulated']);
  });
});
