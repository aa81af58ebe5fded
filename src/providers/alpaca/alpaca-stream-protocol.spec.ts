import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { derivedFixture } from '../../../test/support/fake-upstream.js';
import { waitUntil } from '../../../test/support/fake-stream-server.js';
import { useStreamHarness } from '../../../test/support/stream-harness.js';
import {
  describeWithTestData,
  testDataPath,
} from '../../../test/support/test-data.js';
import { parseSymbol } from '../../market/symbol.js';
import {
  alpacaCryptoStreamProtocol,
  alpacaStreamProtocol,
  decodeAlpacaFrame,
} from './alpaca-stream-protocol.js';

const recorded = (name: string) =>
  readFileSync(
    testDataPath('fixtures', 'alpaca', 'transcribed', name),
    'utf8',
  ).trim();
const lines = (name: string) => recorded(name).split('\n').filter(Boolean);
/** Crypto frames written from Alpaca's documentation, one a line. */
const CRYPTO_FRAMES = derivedFixture(
  'alpaca/ws_v1beta3_crypto_us_BTC_USD.written-from-docs.ndjson',
)
  .split('\n')
  .filter(Boolean);
const cryptoFrame = (index: number) => CRYPTO_FRAMES[index] ?? '';
const CONNECTED = 0;
const AUTHENTICATED = 1;
const SUBSCRIPTION = 2;
const TRADE = 3;
const QUOTE = 4;
const BAR = 5;
const ORDER_BOOK = 6;
const TRADE_AND_QUOTE = 7;

describeWithTestData('Alpaca stream frames', () => {
  it('reads the recorded IEX trades', () => {
    const [first] = lines('ws_v2_iex_trade_frames.observed.ndjson');
    expect(decodeAlpacaFrame(first ?? '')).toEqual([
      {
        kind: 'tick',
        tick: {
          upstreamSymbol: 'AAPL',
          price: 143.42,
          size: 100,
          time: Date.parse('2021-10-08T15:13:03.13396615Z'),
        },
      },
    ]);
  });

  it('classifies every documented control frame', () => {
    const kinds = lines(
      'ws_v2_control_and_error_frames.alpaca-docs.ndjson',
    ).flatMap((frame) =>
      decodeAlpacaFrame(frame).map((message) => message.kind),
    );
    expect(kinds).not.toContain('malformed');
    expect(
      decodeAlpacaFrame(recorded('ws_v2_error_402_auth_failed.json')),
    ).toEqual([{ kind: 'auth-failed', detail: 'auth failed' }]);
    expect(
      decodeAlpacaFrame(
        recorded('ws_v2_error_406_connection_limit_exceeded.json'),
      ),
    ).toEqual([
      { kind: 'error', detail: '406 connection limit exceeded', fatal: true },
    ]);
  });
});

const harness = useStreamHarness();
const protocol = (url: string) =>
  alpacaStreamProtocol(url, 'iex', 'key-id', 'secret-key');

describeWithTestData('Alpaca stream session', () => {
  it('authenticates with key and secret, then subscribes', async () => {
    const { server, ticks } = harness();
    server.onConnection((connection) =>
      connection.send(
        recorded('ws_v2_control_and_error_frames.alpaca-docs.ndjson').split(
          '\n',
        )[0] ?? '',
      ),
    );
    server.onFrame((connection, frame) => {
      if (frame.includes('"auth"'))
        connection.send('[{"T":"success","msg":"authenticated"}]');
      if (frame.includes('"subscribe"'))
        for (const line of lines('ws_v2_iex_trade_frames.observed.ndjson'))
          connection.send(line);
    });
    harness()
      .open(protocol)
      .subscribe([parseSymbol('AAPL')]);
    await waitUntil(() => ticks.length === 2);
    expect(server.connections[0]?.url).toBe('/v2/iex');
    expect(
      server.connections[0]?.received.map(
        (frame) => JSON.parse(frame) as unknown,
      ),
    ).toEqual([
      { action: 'auth', key: 'key-id', secret: 'secret-key' },
      { action: 'subscribe', trades: ['AAPL'] },
    ]);
  });

  it('reconnects after a refused second connection', async () => {
    const { server } = harness();
    server.onConnection((connection) => {
      if (server.connections.length === 1)
        connection.send(
          recorded('ws_v2_error_406_connection_limit_exceeded.json'),
        );
    });
    server.onFrame((connection, frame) => {
      if (frame.includes('"auth"'))
        connection.send('[{"T":"success","msg":"authenticated"}]');
    });
    const client = harness().open(protocol);
    client.subscribe([parseSymbol('AAPL')]);
    await waitUntil(
      () => client.symbols().length === 1 && server.connections.length === 2,
    );
    expect(client.state().connected).toBe(true);
  });
});

const decodeCrypto = (frame: string) =>
  decodeAlpacaFrame(frame, { quotes: true });
const parseFrames = (frames: string[]) =>
  frames.map((frame) => JSON.parse(frame) as unknown);

describe('Alpaca crypto stream frames', () => {
  it('reads a documented trade', () => {
    expect(decodeCrypto(cryptoFrame(TRADE))).toEqual([
      {
        kind: 'tick',
        tick: {
          upstreamSymbol: 'BTC/USD',
          price: 71853.2,
          size: 0.0125,
          time: Date.parse('2024-03-12T10:37:14.402Z'),
        },
      },
    ]);
  });

  it('reads a documented quote at its midpoint', () => {
    expect(decodeCrypto(cryptoFrame(QUOTE))).toEqual([
      {
        kind: 'tick',
        tick: {
          upstreamSymbol: 'BTC/USD',
          price: 71854.5,
          bid: 71849.4,
          ask: 71859.6,
          time: Date.parse('2024-03-12T10:37:15.118Z'),
        },
      },
    ]);
  });

  it('reads a batched trade and quote', () => {
    const ticks = decodeCrypto(cryptoFrame(TRADE_AND_QUOTE)).map((message) =>
      message.kind === 'tick' ? message.tick.price : message.kind,
    );
    expect(ticks).toEqual([71855.1, 71854]);
  });

  it('classifies control, bar and order book frames', () => {
    expect(decodeCrypto(cryptoFrame(CONNECTED))).toEqual([{ kind: 'ignore' }]);
    expect(decodeCrypto(cryptoFrame(AUTHENTICATED))).toEqual([
      { kind: 'authenticated' },
    ]);
    expect(decodeCrypto(cryptoFrame(SUBSCRIPTION))).toEqual([
      { kind: 'ignore' },
    ]);
    expect(decodeCrypto(cryptoFrame(BAR))).toEqual([{ kind: 'ignore' }]);
    expect(decodeCrypto(cryptoFrame(ORDER_BOOK))).toEqual([{ kind: 'ignore' }]);
  });

  it('ignores quotes on the stock stream', () => {
    expect(decodeAlpacaFrame(cryptoFrame(QUOTE))).toEqual([{ kind: 'ignore' }]);
  });

  it.each([
    ['a bid above the ask', { bp: 71860, ap: 71850 }],
    ['a zero bid', { bp: 0, ap: 71850 }],
    ['a missing ask', { bp: 71850, ap: undefined }],
  ])('skips a quote with %s', (_case, prices) => {
    const [quote] = JSON.parse(cryptoFrame(QUOTE)) as Record<string, unknown>[];
    const frame = JSON.stringify([{ ...quote, ...prices }]);
    const [message] = decodeCrypto(frame);
    expect(message?.kind).toBe('malformed');
  });
});

describe('Alpaca crypto stream protocol', () => {
  const crypto = alpacaCryptoStreamProtocol(
    'wss://stream.example',
    'key-id',
    'secret-key',
  );
  const stocks = alpacaStreamProtocol(
    'wss://stream.example',
    'iex',
    'key-id',
    'secret-key',
  );

  it('connects to the crypto path', () => {
    expect(crypto.url()).toBe('wss://stream.example/v1beta3/crypto/us');
    expect(crypto.source).toBe('alpaca');
  });

  it('authenticates with key and secret', () => {
    expect(JSON.parse(crypto.authFrame?.() ?? '')).toEqual({
      action: 'auth',
      key: 'key-id',
      secret: 'secret-key',
    });
  });

  it('subscribes to trades and quotes', () => {
    expect(parseFrames(crypto.subscribeFrames(['BTC/USD', 'ETH/BTC']))).toEqual(
      [
        {
          action: 'subscribe',
          trades: ['BTC/USD', 'ETH/BTC'],
          quotes: ['BTC/USD', 'ETH/BTC'],
        },
      ],
    );
    expect(parseFrames(crypto.unsubscribeFrames(['BTC/USD']))).toEqual([
      { action: 'unsubscribe', trades: ['BTC/USD'], quotes: ['BTC/USD'] },
    ]);
    expect(parseFrames(stocks.subscribeFrames(['AAPL']))).toEqual([
      { action: 'subscribe', trades: ['AAPL'] },
    ]);
  });

  it.each([
    ['BTC-USD', 'BTC/USD'],
    ['ETH-BTC', 'ETH/BTC'],
    ['AAPL', null],
    ['EUR-USD', null],
  ])('maps %s to %s', (symbol, expected) => {
    expect(crypto.toUpstream(parseSymbol(symbol))).toBe(expected);
  });

  it('leaves crypto pairs to the crypto stream', () => {
    expect(stocks.toUpstream(parseSymbol('BTC-USD'))).toBeNull();
    expect(stocks.toUpstream(parseSymbol('AAPL'))).toBe('AAPL');
  });

  it('expects data on a weekend', () => {
    const saturday = Date.parse('2024-03-16T15:00:00Z');
    expect(crypto.expectsData(saturday, [parseSymbol('BTC-USD')])).toBe(true);
    expect(stocks.expectsData(saturday, [parseSymbol('AAPL')])).toBe(false);
  });
});

describe('Alpaca crypto stream session', () => {
  it('delivers trades and quotes as BTC-USD ticks', async () => {
    const { server, ticks } = harness();
    server.onConnection((connection) =>
      connection.send(cryptoFrame(CONNECTED)),
    );
    server.onFrame((connection, frame) => {
      if (frame.includes('"auth"')) connection.send(cryptoFrame(AUTHENTICATED));
      if (frame.includes('"subscribe"'))
        for (const line of CRYPTO_FRAMES.slice(SUBSCRIPTION))
          connection.send(line);
    });
    harness()
      .open((url) => alpacaCryptoStreamProtocol(url, 'key-id', 'secret-key'))
      .subscribe([parseSymbol('BTC-USD')]);
    await waitUntil(() => ticks.length === 4);
    expect(server.connections[0]?.url).toBe('/v1beta3/crypto/us');
    expect(ticks.map((tick) => [tick.symbol, tick.price])).toEqual([
      ['BTC-USD', 71853.2],
      ['BTC-USD', 71854.5],
      ['BTC-USD', 71855.1],
      ['BTC-USD', 71854],
    ]);
    expect(ticks.every((tick) => tick.source === 'alpaca')).toBe(true);
    expect(
      server.connections[0]?.received.map(
        (frame) => JSON.parse(frame) as unknown,
      ),
    ).toEqual([
      { action: 'auth', key: 'key-id', secret: 'secret-key' },
      { action: 'subscribe', trades: ['BTC/USD'], quotes: ['BTC/USD'] },
    ]);
  });
});
