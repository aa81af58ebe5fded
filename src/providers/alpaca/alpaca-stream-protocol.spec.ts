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
  alpacaStreamProtocol,
  decodeAlpacaFrame,
} from './alpaca-stream-protocol.js';

const recorded = (name: string) =>
  readFileSync(
    testDataPath('fixtures', 'alpaca', 'transcribed', name),
    'utf8',
  ).trim();
const lines = (name: string) => recorded(name).split('\n').filter(Boolean);

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
