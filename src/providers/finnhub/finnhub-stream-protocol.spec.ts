import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { waitUntil } from '../../../test/support/fake-stream-server.js';
import { useStreamHarness } from '../../../test/support/stream-harness.js';
import {
  describeWithTestData,
  testDataPath,
} from '../../../test/support/test-data.js';
import { parseSymbol } from '../../market/symbol.js';
import {
  decodeFinnhubFrame,
  finnhubStreamProtocol,
  finnhubStreamSymbol,
} from './finnhub-stream-protocol.js';

const recorded = (name: string) =>
  readFileSync(
    testDataPath('fixtures', 'finnhub', 'transcribed', name),
    'utf8',
  ).trim();

describeWithTestData('Finnhub stream frames', () => {
  it('reads every trade of the recorded trace', () => {
    const frames = recorded(
      'ws_trades_AAPL_2023-03-31.websocket-client-trace.ndjson',
    ).split('\n');
    const ticks = frames.flatMap(decodeFinnhubFrame);
    const trades = frames.reduce(
      (count, frame) =>
        count + (JSON.parse(frame) as { data: unknown[] }).data.length,
      0,
    );
    expect(ticks).toHaveLength(trades);
    expect(ticks.every((message) => message.kind === 'tick')).toBe(true);
  });

  it('reads crypto trades without conditions', () => {
    expect(
      decodeFinnhubFrame(recorded('ws_trade_BINANCE_BTCUSDT_2024-07-21.json')),
    ).toEqual([
      {
        kind: 'tick',
        tick: {
          upstreamSymbol: 'BINANCE:BTCUSDT',
          price: 66972.77,
          size: 0.01559,
          time: 1721555886208,
        },
      },
    ]);
  });

  it('ignores pings and reports errors', () => {
    expect(decodeFinnhubFrame(recorded('ws_ping.json'))).toEqual([
      { kind: 'ignore' },
    ]);
    expect(
      decodeFinnhubFrame(
        recorded('ws_error_subscribing_to_too_many_symbols.json'),
      ),
    ).toEqual([
      {
        kind: 'error',
        detail: 'Subscribing to too many symbols',
        fatal: false,
      },
    ]);
  });
});

it('maps symbols to Finnhub stream notation', () => {
  expect(finnhubStreamSymbol(parseSymbol('AAPL'))).toBe('AAPL');
  expect(finnhubStreamSymbol(parseSymbol('BTC-USD'))).toBe('BINANCE:BTCUSDT');
  expect(finnhubStreamSymbol(parseSymbol('EUR-USD'))).toBe('OANDA:EUR_USD');
  expect(finnhubStreamSymbol(parseSymbol('^GSPC'))).toBeNull();
});

const harness = useStreamHarness();

describeWithTestData('Finnhub stream session', () => {
  it('sends the token in the URL and one subscribe per symbol', async () => {
    const { server, ticks } = harness();
    server.onFrame((connection, frame) => {
      if (frame.includes('"AAPL"'))
        connection.send(
          recorded(
            'ws_trades_AAPL_2023-03-31.websocket-client-trace.ndjson',
          ).split('\n')[0] ?? '',
        );
    });
    harness()
      .open((url) => finnhubStreamProtocol(url, 'fh-token'))
      .subscribe([parseSymbol('AAPL'), parseSymbol('BTC-USD')]);
    await waitUntil(() => ticks.length === 10);
    expect(server.connections[0]?.url).toBe('/?token=fh-token');
    expect(
      server.connections[0]?.received.map(
        (frame) => JSON.parse(frame) as unknown,
      ),
    ).toEqual([
      { type: 'subscribe', symbol: 'AAPL' },
      { type: 'subscribe', symbol: 'BINANCE:BTCUSDT' },
    ]);
    expect(ticks[0]?.symbol).toBe('AAPL');
  });
});
