import type { LoggerService } from '@nestjs/common';
import { firstValueFrom, take, timeout, toArray } from 'rxjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Tick } from '../../market/quote.js';
import { parseSymbol } from '../../market/symbol.js';
import { readReplayFile } from './replay-file.js';
import type { ReplaySeries } from './replay-series.js';
import { ReplayTickStream } from './replay-tick-stream.js';
import { fakeLogger } from '../../../test/support/fake-logger.js';

const KLINES = [
  '1637971200000,1,4,0.5,2,100',
  '1637971260000,2,5,1.5,3,100',
].join('\n');
const [fileSeries] = readReplayFile('ADABTC.csv', KLINES).series;
if (!fileSeries) throw new Error('fixture has no series');
const series: ReplaySeries = { ...fileSeries, files: [fileSeries.file] };
const ADA_BTC = parseSymbol('ADA-BTC');
/** Upper bound on any wait for ticks, in milliseconds. */
const WAIT_MS = 2_000;

function streamAt(speed: number, logger?: LoggerService): ReplayTickStream {
  return new ReplayTickStream({
    speed,
    now: () => 42,
    logger: logger ?? fakeLogger(),
    seriesFor: (symbol) => (symbol === 'ADA-BTC' ? series : undefined),
  });
}

function nextTicks(stream: ReplayTickStream, count: number): Promise<Tick[]> {
  return firstValueFrom(
    stream.ticks.pipe(take(count), toArray(), timeout(WAIT_MS)),
  );
}

describe('ReplayTickStream', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('plays open, high, low, close', async () => {
    const stream = streamAt(1_000_000);
    const ticks = nextTicks(stream, 8);
    stream.subscribe([ADA_BTC]);
    const prices = (await ticks).map((tick) => tick.price);
    await stream.close();
    expect(prices).toEqual([1, 4, 0.5, 2, 2, 5, 1.5, 3]);
  });

  it('loops back to the start', async () => {
    const stream = streamAt(1_000_000);
    const ticks = nextTicks(stream, 10);
    stream.subscribe([ADA_BTC]);
    const prices = (await ticks).map((tick) => tick.price);
    await stream.close();
    expect(prices.slice(8)).toEqual([1, 4]);
  });

  it('stamps ticks with the clock', async () => {
    const stream = streamAt(1_000_000);
    const ticks = nextTicks(stream, 1);
    stream.subscribe([ADA_BTC]);
    const [tick] = await ticks;
    await stream.close();
    expect(tick).toEqual({
      symbol: 'ADA-BTC',
      price: 1,
      time: 42,
      source: 'replay',
    });
  });

  it('spreads a bar over its width', () => {
    vi.useFakeTimers();
    const stream = streamAt(1);
    const prices: number[] = [];
    stream.ticks.subscribe((tick) => prices.push(tick.price));
    stream.subscribe([ADA_BTC]);
    vi.advanceTimersByTime(0);
    expect(prices).toEqual([1]);
    vi.advanceTimersByTime(14_999);
    expect(prices).toEqual([1]);
    vi.advanceTimersByTime(1);
    expect(prices).toEqual([1, 4]);
    vi.advanceTimersByTime(45_000);
    expect(prices).toEqual([1, 4, 0.5, 2, 2]);
    void stream.close();
  });

  it('plays faster at higher speed', () => {
    vi.useFakeTimers();
    const stream = streamAt(60);
    const prices: number[] = [];
    stream.ticks.subscribe((tick) => prices.push(tick.price));
    stream.subscribe([ADA_BTC]);
    vi.advanceTimersByTime(1_000);
    expect(prices).toHaveLength(5);
    void stream.close();
  });

  it('stops a symbol on unsubscribe', () => {
    vi.useFakeTimers();
    const stream = streamAt(60);
    const prices: number[] = [];
    stream.ticks.subscribe((tick) => prices.push(tick.price));
    stream.subscribe([ADA_BTC]);
    vi.advanceTimersByTime(0);
    stream.unsubscribe(['ADA-BTC']);
    vi.advanceTimersByTime(10_000);
    expect(prices).toEqual([1]);
    expect(stream.symbols()).toEqual([]);
  });

  it('completes ticks on close', async () => {
    const stream = streamAt(60);
    const done = firstValueFrom(stream.ticks.pipe(toArray(), timeout(WAIT_MS)));
    stream.subscribe([ADA_BTC]);
    await stream.close();
    await expect(done).resolves.toBeDefined();
    expect(stream.symbols()).toEqual([]);
  });

  it('ignores an unknown symbol', () => {
    const logger = fakeLogger();
    const stream = streamAt(60, logger);
    stream.subscribe([parseSymbol('MSFT')]);
    expect(stream.symbols()).toEqual([]);
    expect(logger.debug).toHaveBeenCalledWith(
      'Replay stream ignores MSFT: no bars in the replay files',
    );
  });

  it('keeps one playback per symbol', () => {
    vi.useFakeTimers();
    const stream = streamAt(60);
    const prices: number[] = [];
    stream.ticks.subscribe((tick) => prices.push(tick.price));
    stream.subscribe([ADA_BTC]);
    stream.subscribe([ADA_BTC]);
    vi.advanceTimersByTime(0);
    expect(prices).toEqual([1]);
    void stream.close();
  });

  it('rejects a non-positive speed', () => {
    expect(() => streamAt(0)).toThrow('Replay speed 0 is invalid');
  });
});
