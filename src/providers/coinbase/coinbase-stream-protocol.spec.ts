import { afterEach, beforeEach, expect, it } from 'vitest';
import { readCapture } from '../../../test/support/capture.js';
import { fakeLogger } from '../../../test/support/fake-logger.js';
import {
  startFakeStreamServer,
  waitUntil,
  type FakeStreamServer,
} from '../../../test/support/fake-stream-server.js';
import { describeWithTestData } from '../../../test/support/test-data.js';
import type { Tick } from '../../market/quote.js';
import { parseSymbol } from '../../market/symbol.js';
import { UpstreamStreamClient } from '../upstream-stream/upstream-stream.client.js';
import {
  coinbaseStreamProtocol,
  decodeCoinbaseFrame,
} from './coinbase-stream-protocol.js';

const CAPTURE = 'coinbase/cryptofeed_COINBASE.ws.28.0.head2000.txt';

describeWithTestData('Coinbase feed frames', () => {
  const received = readCapture(CAPTURE).filter(
    (frame) => frame.direction === 'received',
  );

  it('reads every recorded ticker', () => {
    const messages = received.flatMap((frame) =>
      decodeCoinbaseFrame(frame.frame),
    );
    const ticks = messages.filter((message) => message.kind === 'tick');
    const tickerFrames = received.filter((frame) =>
      frame.frame.includes('"type":"ticker"'),
    );
    expect(ticks).toHaveLength(tickerFrames.length);
    expect(messages.filter((message) => message.kind === 'malformed')).toEqual(
      [],
    );
  });

  it('reads price, bid, ask and size', () => {
    const frame = received.find((candidate) =>
      candidate.frame.includes('"product_id":"BAND-GBP","price":"14.7775"'),
    );
    expect(decodeCoinbaseFrame(frame?.frame ?? '')).toEqual([
      {
        kind: 'tick',
        tick: {
          upstreamSymbol: 'BAND-GBP',
          price: 14.7775,
          bid: 14.755,
          ask: 14.806,
          size: 0.04,
          time: Date.parse('2021-04-17T16:43:30.244075Z'),
        },
      },
    ]);
  });
});

it('flags frames it cannot read', () => {
  expect(decodeCoinbaseFrame('not json')[0]?.kind).toBe('malformed');
  expect(
    decodeCoinbaseFrame(
      '{"type":"ticker","product_id":"BTC-USD","price":"NaN","time":"x"}',
    )[0]?.kind,
  ).toBe('malformed');
  expect(decodeCoinbaseFrame('{"type":"mystery"}')[0]?.kind).toBe('malformed');
});

it('reports error frames', () => {
  expect(
    decodeCoinbaseFrame(
      '{"type":"error","message":"Failed to subscribe","reason":"BTC-XYZ is not a valid product"}',
    ),
  ).toEqual([
    {
      kind: 'error',
      detail: 'Failed to subscribe: BTC-XYZ is not a valid product',
      fatal: false,
    },
  ]);
});

it('carries only crypto pairs', () => {
  const protocol = coinbaseStreamProtocol('wss://feed');
  expect(protocol.toUpstream(parseSymbol('BTC-USD'))).toBe('BTC-USD');
  expect(protocol.toUpstream(parseSymbol('AAPL'))).toBeNull();
});

describeWithTestData('Coinbase stream over a socket', () => {
  let server: FakeStreamServer;
  let client: UpstreamStreamClient | undefined;

  beforeEach(async () => {
    server = await startFakeStreamServer();
  });

  afterEach(async () => {
    await client?.close();
    await server.close();
  });

  it('replays the recorded session as ticks', async () => {
    const capture = readCapture(CAPTURE);
    server.onFrame((connection, frame) => {
      if (!frame.includes('"subscribe"')) return;
      for (const recorded of capture)
        if (recorded.direction === 'received') connection.send(recorded.frame);
    });
    client = new UpstreamStreamClient({
      protocol: coinbaseStreamProtocol(server.url),
      logger: fakeLogger(),
      staleAfterMs: 60_000,
      reconnectMaxDelayMs: 1000,
      batchDelayMs: 10,
    });
    const ticks: Tick[] = [];
    client.ticks.subscribe((tick) => ticks.push(tick));
    client.subscribe([
      parseSymbol('NU-GBP', { context: 'crypto' }),
      parseSymbol('SKL-USD', { context: 'crypto' }),
    ]);
    const expected = capture.filter(
      (frame) =>
        frame.direction === 'received' &&
        /"type":"ticker".*"product_id":"(NU-GBP|SKL-USD)"/.test(frame.frame),
    ).length;
    await waitUntil(() => ticks.length === expected);
    expect(ticks.every((tick) => tick.source === 'coinbase')).toBe(true);
    const subscribe = JSON.parse(
      server.connections[0]?.received[0] ?? '{}',
    ) as { product_ids?: string[]; channels?: string[] };
    expect(subscribe).toEqual({
      type: 'subscribe',
      product_ids: ['NU-GBP', 'SKL-USD'],
      channels: ['ticker', 'heartbeat'],
    });
  });
});
