import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisService } from '../src/redis/redis.service.js';
import { type OwnRedis, startOwnRedis } from './support/redis.js';
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
const SYMBOL = 'BRK.A';
/** Plays a daily bar's four ticks 50 ms apart. */
const SPEED = '432000';
/** Maximum wait for the cluster to settle after a change, in ms. */
const SETTLE_MS = 15_000;

/** Returns the instances whose own feed of SYMBOL runs. */
function feeding(...apps: StreamingApp[]): StreamingApp[] {
  return apps.filter((app) =>
    app.feeds.report().some((feed) => feed.symbol === SYMBOL && feed.feed),
  );
}

describeWithTestData('streaming across instances on one Redis', () => {
  let redis: OwnRedis;
  let first: StreamingApp;
  let second: StreamingApp;
  let onFirst: IoTestClient;
  let ioOnSecond: IoTestClient;
  let wsOnSecond: WsTestClient;
  const stopped = new Set<StreamingApp>();

  beforeAll(async () => {
    redis = await startOwnRedis();
    const dir = mkdtempSync(join(tmpdir(), 'stream-cluster-'));
    copyFileSync(join(OHLCV_DIR, FILE), join(dir, FILE));
    const env = {
      REDIS_URL: redis.url,
      REPLAY_DIR: dir,
      REPLAY_SPEED: SPEED,
      STREAM_LEASE: '1',
      STREAM_LINGER: '0',
    };
    first = await startStreamingApp({ env });
    second = await startStreamingApp({ env });
    onFirst = await connectIo(first.streamUrl);
    ioOnSecond = await connectIo(second.streamUrl);
    wsOnSecond = await openWs(second.wsUrl);
  });

  afterAll(async () => {
    for (const client of [onFirst, ioOnSecond]) client.socket.close();
    wsOnSecond.socket.close();
    for (const app of [first, second]) if (!stopped.has(app)) await app.close();
    await redis.stop();
  });

  it('delivers quotes of one instance to clients of another', async () => {
    await emitWithAck(onFirst.socket, 'subscribe', { symbols: [SYMBOL] });
    await onFirst.inbox.next((item) => item.event === 'quote', 'a quote');
    await emitWithAck(ioOnSecond.socket, 'subscribe', { symbols: [SYMBOL] });
    wsOnSecond.send({ action: 'subscribe', symbols: [SYMBOL] });

    const overIo = await ioOnSecond.inbox.count(
      (item) => item.event === 'quote',
      6,
      'six quotes over Socket.IO on the second instance',
    );
    const overWs = await wsOnSecond.inbox.count(
      (item) => item.type === 'quote',
      6,
      'six quotes over /ws on the second instance',
    );

    expect(feeding(first, second)).toEqual([first]);
    expect(second.feeds.report()).toEqual([
      { symbol: SYMBOL, subscriptions: 2, feed: null },
    ]);
    // After the snapshot, every quote follows the one before it.
    const ioSeqs = overIo.slice(1).map((item) => item.data.seq as number);
    expect(ioSeqs).toEqual(ioSeqs.map((_seq, index) => ioSeqs[0]! + index));
    const wsSeqs = overWs.slice(1).map((item) => item.seq as number);
    expect(wsSeqs).toEqual(wsSeqs.map((_seq, index) => wsSeqs[0]! + index));
    expect(overWs.every((item) => item.source === 'replay')).toBe(true);
  });

  it('keeps delivering through a Redis restart', async () => {
    const ioId = ioOnSecond.socket.id;
    let disconnects = 0;
    ioOnSecond.socket.on('disconnect', () => (disconnects += 1));

    await redis.stop();
    const beforeOutage = ioOnSecond.inbox.items.length;
    await ioOnSecond.inbox.count(
      (item) =>
        item.event === 'quote' &&
        ioOnSecond.inbox.items.indexOf(item) >= beforeOutage,
      3,
      'quotes on the second instance while Redis is down',
      SETTLE_MS,
    );
    // Without Redis each instance feeds its own clients.
    expect(feeding(first, second)).toEqual([first, second]);
    await redis.start();
    await expect
      .poll(() => feeding(first, second).length, { timeout: SETTLE_MS })
      .toBe(1);
    const [owner] = feeding(first, second);
    const client = owner === first ? ioOnSecond : onFirst;
    const seen = client.inbox.items.length;
    const fresh = await client.inbox.count(
      (item) =>
        item.event === 'quote' && client.inbox.items.indexOf(item) >= seen,
      5,
      'five quotes from the other instance after the restart',
    );

    expect(fresh).toHaveLength(5);
    expect(feeding(first, second)).toEqual([owner]);
    expect(disconnects).toBe(0);
    expect(ioOnSecond.socket.id).toBe(ioId);
    expect(wsOnSecond.socket.readyState).toBe(wsOnSecond.socket.OPEN);
  });

  it('moves the feed when its instance stops', async () => {
    await expect
      .poll(() => feeding(first, second).length, { timeout: SETTLE_MS })
      .toBe(1);
    const [owner] = feeding(first, second);
    const survivor = owner === first ? second : first;
    const seqs = () =>
      survivor === first
        ? onFirst.inbox.items
            .filter((item) => item.event === 'quote')
            .map((item) => item.data.seq as number)
        : wsOnSecond.inbox.items
            .filter((item) => item.type === 'quote')
            .map((item) => item.seq as number);
    const lastSeq = Math.max(...seqs());

    stopped.add(owner!);
    await owner!.close();
    await expect
      .poll(() => Math.max(...seqs()), { timeout: SETTLE_MS })
      .toBeGreaterThan(lastSeq + 5);

    expect(feeding(survivor)).toEqual([survivor]);
  });
});

describe('streaming while Redis is down', () => {
  it('serves clients and shuts down without Redis', async () => {
    const redis = await startOwnRedis();
    await redis.stop();
    const stream = await startStreamingApp({
      env: { REDIS_URL: redis.url, STREAM_LEASE: '1', LOG_LEVEL: 'fatal' },
    });
    const io = await connectIo(stream.streamUrl);
    const ws = await openWs(stream.wsUrl);

    const ack = await emitWithAck(io.socket, 'subscribe', {
      symbols: ['BTC-USD'],
    });
    ws.send({ action: 'subscribe', symbols: ['BTC-USD'] });
    const quotes = await ws.inbox.count(
      (item) => item.type === 'quote',
      2,
      'two quotes over /ws',
    );
    const report = stream.feeds.report();
    io.socket.close();
    await stream.close();

    expect(ack).toEqual({ subscribed: ['BTC-USD'], rejected: [] });
    expect(quotes[1]?.seq).toBe((quotes[0]?.seq as number) + 1);
    expect(report).toEqual([
      { symbol: 'BTC-USD', subscriptions: 2, feed: 'native:simulated' },
    ]);
  });
});

describeWithTestData('feed owner that loses Redis', () => {
  it('is replaced once its lease lapses', async () => {
    const redis = await startOwnRedis();
    const dir = mkdtempSync(join(tmpdir(), 'stream-owner-'));
    copyFileSync(join(OHLCV_DIR, FILE), join(dir, FILE));
    const env = {
      REDIS_URL: redis.url,
      REPLAY_DIR: dir,
      REPLAY_SPEED: SPEED,
      STREAM_LEASE: '1',
      LOG_LEVEL: 'fatal',
    };
    const owner = await startStreamingApp({ env });
    const standby = await startStreamingApp({ env });
    const onOwner = await openWs(owner.wsUrl);
    const onStandby = await openWs(standby.wsUrl);
    try {
      onOwner.send({ action: 'subscribe', symbols: [SYMBOL] });
      await onOwner.inbox.next((item) => item.type === 'quote', 'a quote');
      onStandby.send({ action: 'subscribe', symbols: [SYMBOL] });
      await onStandby.inbox.count(
        (item) => item.type === 'quote',
        3,
        'quotes from the owner',
      );
      expect(feeding(owner, standby)).toEqual([owner]);

      // The owner can no longer renew its lease or publish, as if it died.
      owner.app.get(RedisService).client?.destroy();
      await expect
        .poll(() => feeding(standby), { timeout: SETTLE_MS })
        .toEqual([standby]);
      const seen = onStandby.inbox.items.length;
      const fresh = await onStandby.inbox.count(
        (item) =>
          item.type === 'quote' && onStandby.inbox.items.indexOf(item) >= seen,
        3,
        'quotes from the new owner',
      );

      expect(fresh.every((item) => item.symbol === SYMBOL)).toBe(true);
    } finally {
      onOwner.socket.close();
      onStandby.socket.close();
      await owner.close();
      await standby.close();
      await redis.stop();
    }
  });
});
