import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { derivedFixture } from '../../../test/support/fake-upstream.js';
import { waitUntil } from '../../../test/support/fake-stream-server.js';
import { useStreamHarness } from '../../../test/support/stream-harness.js';
import {
  describeWithTestData,
  testDataPath,
} from '../../../test/support/test-data.js';
import { parseSymbol } from '../../market/symbol.js';
import {
  decodePolygonFrame,
  polygonStreamProtocol,
} from './polygon-stream-protocol.js';

const recorded = (name: string) =>
  readFileSync(
    testDataPath('fixtures', 'polygon', 'transcribed', name),
    'utf8',
  ).trim();
const TRADES = 'polygon/ws_trades_AAPL_MSFT.written-from-docs.json';

describeWithTestData('Polygon stream frames', () => {
  it('reads the recorded status frames', () => {
    expect(decodePolygonFrame(recorded('ws_status_connected.json'))).toEqual([
      { kind: 'ignore' },
    ]);
    expect(decodePolygonFrame(recorded('ws_status_auth_success.json'))).toEqual(
      [{ kind: 'authenticated' }],
    );
    expect(decodePolygonFrame(recorded('ws_status_auth_failed.json'))).toEqual([
      { kind: 'auth-failed', detail: 'authentication failed' },
    ]);
    expect(
      decodePolygonFrame(recorded('ws_status_max_connections.json')),
    ).toEqual([
      {
        kind: 'error',
        detail: 'Maximum number of connections exceeded.',
        fatal: true,
      },
    ]);
    expect(decodePolygonFrame(recorded('ws_status_subscribed_T.json'))).toEqual(
      [{ kind: 'ignore' }],
    );
  });
});

it('reads trade events', () => {
  expect(
    decodePolygonFrame(derivedFixture(TRADES)).filter(
      (message) => message.kind === 'tick',
    ),
  ).toHaveLength(3);
});

it('flags unreadable frames', () => {
  expect(decodePolygonFrame('{')[0]?.kind).toBe('malformed');
  expect(
    decodePolygonFrame('[{"ev":"T","sym":"AAPL","p":"x","t":1}]')[0]?.kind,
  ).toBe('malformed');
});

const harness = useStreamHarness();

describeWithTestData('Polygon stream session', () => {
  it('authenticates, then subscribes to trades', async () => {
    const { server, ticks } = harness();
    server.onConnection((connection) =>
      connection.send(recorded('ws_status_connected.json')),
    );
    server.onFrame((connection, frame) => {
      if (frame.includes('"auth"'))
        connection.send(recorded('ws_status_auth_success.json'));
      if (frame.includes('"subscribe"'))
        connection.send(derivedFixture(TRADES));
    });
    harness()
      .open((url) => polygonStreamProtocol(url, 'pk-stream'))
      .subscribe([parseSymbol('AAPL'), parseSymbol('MSFT')]);
    await waitUntil(() => ticks.length === 3);
    expect(server.connections[0]?.url).toBe('/stocks');
    expect(
      server.connections[0]?.received.map(
        (frame) => JSON.parse(frame) as unknown,
      ),
    ).toEqual([
      { action: 'auth', params: 'pk-stream' },
      { action: 'subscribe', params: 'T.AAPL,T.MSFT' },
    ]);
  });

  it('backs off after a failed authentication', async () => {
    const { server, events } = harness();
    server.onFrame((connection, frame) => {
      if (frame.includes('"auth"'))
        connection.send(recorded('ws_status_auth_failed.json'));
    });
    const client = harness().open((url) => polygonStreamProtocol(url, 'wrong'));
    client.subscribe([parseSymbol('AAPL')]);
    await waitUntil(() => server.connections.length >= 2);
    expect(events[0]?.code).toBe('feed_stale');
    expect(
      server.connections[0]?.received.some((frame) =>
        frame.includes('subscribe'),
      ),
    ).toBe(false);
  });
});
