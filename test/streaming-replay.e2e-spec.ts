import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readLayout } from './support/ohlcv-file.js';
import {
  connectIo,
  emitWithAck,
  type IoTestClient,
  openWs,
  startStreamingApp,
  type StreamingApp,
  type WsTestClient,
} from './support/streaming.js';
import { describeWithTestData, OHLCV_DIR } from './support/test-data.js';

const FILE = 'BRK-A.daily.2014-03-03_2014-08-29.zipline.csv';
/** Bars whose ticks the test checks. */
const BARS = 3;
/** Plays a daily bar's four ticks 50 ms apart (86,400,000 ms / 4 / 432,000). */
const SPEED = '432000';

describeWithTestData('replay feed over real files', () => {
  let stream: StreamingApp;
  let io: IoTestClient;
  let ws: WsTestClient;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stream-replay-'));
    copyFileSync(join(OHLCV_DIR, FILE), join(dir, FILE));
    stream = await startStreamingApp({
      env: { REPLAY_DIR: dir, REPLAY_SPEED: SPEED, STREAM_LINGER: '0' },
    });
    io = await connectIo(stream.streamUrl);
    ws = await openWs(stream.wsUrl);
  });

  afterAll(async () => {
    io.socket.close();
    ws.socket.close();
    await stream.close();
  });

  it('streams the file prices in order on both transports', async () => {
    const rows = readLayout({ file: FILE, dateColumn: 'day' }).slice(0, BARS);
    const expected = rows.flatMap((row) => [
      row.open,
      row.high,
      row.low,
      row.close,
    ]);

    const ack = await emitWithAck(io.socket, 'subscribe', {
      symbols: ['BRK-A'],
    });
    ws.send({ action: 'subscribe', symbols: ['brk.a'] });
    // The first quote is the quote path's; the ticks follow from seq 2 on.
    const fromIo = await io.inbox.count(
      (item) => item.event === 'quote' && (item.data.seq as number) >= 2,
      expected.length,
      'replayed quotes over Socket.IO',
    );
    // The /ws client subscribed a moment later, so it may start further on.
    const last = expected.length + 1;
    await ws.inbox.next(
      (item) => item.type === 'quote' && item.seq === last,
      `the quote with seq ${last} over /ws`,
    );
    const fromWs = ws.inbox.items.filter(
      (item) =>
        item.type === 'quote' &&
        (item.seq as number) >= 2 &&
        (item.seq as number) <= last,
    );

    expect(ack).toEqual({ subscribed: ['BRK.A'], rejected: [] });
    const ioTicks = fromIo.slice(0, expected.length).map((item) => item.data);
    expect(ioTicks.map((quote) => quote.price)).toEqual(expected);
    expect(ioTicks.map((quote) => quote.seq)).toEqual(
      expected.map((_price, index) => index + 2),
    );
    expect(ioTicks.every((quote) => quote.source === 'replay')).toBe(true);
    expect(ioTicks.every((quote) => quote.symbol === 'BRK.A')).toBe(true);
    expect(fromWs.map((quote) => quote.price)).toEqual(
      fromWs.map((quote) => expected[(quote.seq as number) - 2]),
    );
    expect(stream.feeds.report()).toEqual([
      { symbol: 'BRK.A', subscriptions: 2, feed: 'native:replay' },
    ]);
  });
});
