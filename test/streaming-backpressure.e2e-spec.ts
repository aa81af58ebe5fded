import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
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

/** One-minute and 15-minute bars. */
const FILES = [
  'ADABTC.1m.2021-11-27.binance-klines.nautilus.csv',
  'EA.15m.yfinance.csv',
];
const SYMBOLS = ['ADA-BTC', 'EA'];
/** 60,000 ms / 4 ticks / 1,500 = one ADA-BTC tick every 10 ms. */
const SPEED = '1500';
const MAX_BUFFERED_BYTES = 16_384;
/** Maximum wait for the stalled client to be conflated, then dropped, in ms. */
const STALL_WAIT_MS = 20_000;

/** Returns the sequence numbers of a symbol's quotes that do not follow the one before. */
function gaps(quotes: Record<string, unknown>[], symbol: string): number[] {
  const seqs = quotes
    .filter((quote) => quote.symbol === symbol)
    .map((quote) => quote.seq as number);

  return seqs.filter((seq, index) => index > 0 && seq !== seqs[index - 1]! + 1);
}

describeWithTestData('slow clients', () => {
  let stream: StreamingApp;
  let wsReader: WsTestClient;
  let ioReader: IoTestClient;
  let stalled: IoTestClient;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stream-backpressure-'));
    for (const file of FILES)
      copyFileSync(join(OHLCV_DIR, file), join(dir, file));
    stream = await startStreamingApp({
      env: {
        REPLAY_DIR: dir,
        REPLAY_SPEED: SPEED,
        WS_MAX_BUFFERED_BYTES: String(MAX_BUFFERED_BYTES),
        WS_SLOW_CONSUMER_TIMEOUT: '2',
        STREAM_LINGER: '0',
      },
    });
    wsReader = await openWs(stream.wsUrl);
    ioReader = await connectIo(stream.streamUrl);
    // Over HTTP long-polling, quotes wait on the server until the client
    // polls, so a client that stops polling stalls at once.
    stalled = await connectIo(stream.streamUrl, { transports: ['polling'] });
  });

  afterAll(async () => {
    wsReader.socket.close();
    ioReader.socket.close();
    stalled.socket.close();
    await stream.close();
  });

  it('conflates, then drops a stalled client alone', async () => {
    wsReader.send({ action: 'subscribe', symbols: SYMBOLS });
    await wsReader.inbox.next((item) => item.type === 'subscribed', 'ack');
    await emitWithAck(ioReader.socket, 'subscribe', { symbols: SYMBOLS });
    await emitWithAck(stalled.socket, 'subscribe', { symbols: SYMBOLS });
    const [wsOnServer, ioOnServer, stalledOnServer] =
      stream.subscriptions.all();
    let maxBuffered = 0;
    const sampler = setInterval(() => {
      const bytes = stalledOnServer?.transport.bufferedBytes() ?? 0;
      maxBuffered = Math.max(maxBuffered, bytes);
    }, 5);

    await new Promise<void>((resolve) =>
      stalled.socket.io.engine.transport.pause(resolve),
    );
    await expect
      .poll(() => stalledOnServer?.conflated, { timeout: STALL_WAIT_MS })
      .toBeGreaterThan(0);
    await expect
      .poll(() => stalledOnServer?.isClosed, { timeout: STALL_WAIT_MS })
      .toBe(true);
    clearInterval(sampler);
    const seen = wsReader.inbox.items.length;
    await wsReader.inbox.count(
      (item) => wsReader.inbox.items.indexOf(item) >= seen,
      20,
      'quotes to the reader after the drop',
    );

    const wsQuotes = wsReader.inbox.items.filter(
      (item) => item.type === 'quote',
    );
    const ioQuotes = ioReader.inbox.items
      .filter((item) => item.event === 'quote')
      .map((item) => item.data);
    for (const symbol of SYMBOLS) {
      expect(gaps(wsQuotes, symbol)).toEqual([]);
      expect(gaps(ioQuotes, symbol)).toEqual([]);
    }
    expect(wsOnServer?.conflated).toBe(0);
    expect(ioOnServer?.conflated).toBe(0);
    expect(wsOnServer?.isClosed).toBe(false);
    expect(ioOnServer?.isClosed).toBe(false);
    // The buffer stops growing at the limit, plus the last message written.
    expect(maxBuffered).toBeGreaterThanOrEqual(MAX_BUFFERED_BYTES);
    expect(maxBuffered).toBeLessThan(MAX_BUFFERED_BYTES + 2048);
    expect(stream.subscriptions.report().connections).toBe(2);
  });
});
