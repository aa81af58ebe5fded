import type { LoggerService } from '@nestjs/common';
import {
  firstValueFrom,
  take,
  takeUntil,
  timeout,
  timer,
  toArray,
  type Observable,
} from 'rxjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Tick } from '../../market/quote.js';
import { parseSymbol } from '../../market/symbol.js';
import { buildSeries, findSeries } from './price-series.js';
import { SimulatedSource } from './simulated.adapter.js';
import { tickAt } from './tick-stream.js';
import { buildUniverse } from './universe.js';

const at = (iso: string) => Date.parse(iso);
/** Maximum wait for ticks that a 10 ms timer should deliver at once. */
const WAIT_MS = 2000;

const silentLogger: LoggerService = { log() {}, warn() {}, error() {} };
const sources: SimulatedSource[] = [];

afterEach(async () => {
  await Promise.all(sources.splice(0).map((source) => source.stream.close()));
});

/** Creates a source whose clock reads `clock.now`, ticking every 10 ms. */
function streamingSource(clock: { now: number }, logger = silentLogger) {
  const source = new SimulatedSource({
    seed: 42,
    now: () => clock.now,
    logger,
    tickIntervalMs: 10,
  });
  sources.push(source);

  return source;
}

function nextTicks(ticks: Observable<Tick>, count: number): Promise<Tick[]> {
  return firstValueFrom(ticks.pipe(take(count), toArray(), timeout(WAIT_MS)));
}

function ticksWithin(ticks: Observable<Tick>, ms: number): Promise<Tick[]> {
  return firstValueFrom(ticks.pipe(takeUntil(timer(ms)), toArray()));
}

describe('SimulatedTickStream', () => {
  it('ticks every open market', async () => {
    const clock = { now: at('2024-03-15T18:30:17Z') };
    const source = streamingSource(clock);
    source.stream.subscribe([parseSymbol('AAPL'), parseSymbol('BTC-USD')]);
    const ticks = await nextTicks(source.stream.ticks, 4);
    const symbols = new Set(ticks.map((tick) => tick.symbol));
    expect([...symbols].sort()).toEqual(['AAPL', 'BTC-USD']);
    expect(ticks[0]?.source).toBe('simulated');
    expect(ticks[0]?.time).toBe(clock.now);
  });

  it('follows the quote path', async () => {
    const clock = { now: at('2024-03-15T18:30:17Z') };
    const source = streamingSource(clock);
    source.stream.subscribe([parseSymbol('MSFT')]);
    for (const offset of [0, 1500, 29_000, 61_000]) {
      clock.now = at('2024-03-15T18:30:17Z') + offset;
      const [tick] = await nextTicks(source.stream.ticks, 1);
      const quote = await source.getQuote(parseSymbol('MSFT'));
      expect(tick?.price).toBe(quote.price);
      expect(tick?.bid).toBe(quote.bid);
      expect(tick?.ask).toBe(quote.ask);
    }
  });

  it('skips stocks on Saturday', async () => {
    const clock = { now: at('2024-03-16T15:00:00Z') };
    const source = streamingSource(clock);
    source.stream.subscribe([parseSymbol('AAPL'), parseSymbol('BTC-USD')]);
    const ticks = await nextTicks(source.stream.ticks, 6);
    expect(ticks.map((tick) => tick.symbol)).toEqual(Array(6).fill('BTC-USD'));
  });

  it('stops after unsubscribe', async () => {
    const clock = { now: at('2024-03-17T12:00:00Z') };
    const source = streamingSource(clock);
    source.stream.subscribe([parseSymbol('ETH-USD')]);
    await nextTicks(source.stream.ticks, 1);
    source.stream.unsubscribe(['ETH-USD']);
    expect(await ticksWithin(source.stream.ticks, 100)).toEqual([]);
  });

  it('completes on close', async () => {
    const clock = { now: at('2024-03-17T12:00:00Z') };
    const source = streamingSource(clock);
    source.stream.subscribe([parseSymbol('ETH-USD')]);
    const all = firstValueFrom(
      source.stream.ticks.pipe(toArray(), timeout(WAIT_MS)),
    );
    await source.stream.close();
    await expect(all).resolves.toEqual([]);
  });

  it('warns about unknown symbols', () => {
    const warn = vi.fn<(message: string) => void>();
    const source = streamingSource(
      { now: at('2024-03-17T12:00:00Z') },
      { ...silentLogger, warn },
    );
    source.stream.subscribe([parseSymbol('NOPE')]);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('NOPE'));
  });
});

describe('tickAt', () => {
  const series = buildSeries(buildUniverse(42), 42);
  const seriesOf = (symbol: string) => findSeries(series, symbol);

  it('has no stock ticks after the close', () => {
    expect(tickAt(seriesOf('AAPL'), at('2024-03-15T20:00:00Z'))).toBeNull();
    expect(tickAt(seriesOf('AAPL'), at('2024-03-15T19:59:59Z'))).not.toBeNull();
  });

  it('opens forex on Sunday at 17:00', () => {
    expect(tickAt(seriesOf('EUR-USD'), at('2024-03-17T20:59:59Z'))).toBeNull();
    expect(
      tickAt(seriesOf('EUR-USD'), at('2024-03-17T21:00:00Z')),
    ).not.toBeNull();
  });

  it('gives index ticks no bid', () => {
    const tick = tickAt(seriesOf('^GSPC'), at('2024-03-15T18:30:00Z'));
    expect(tick?.price).toBeGreaterThan(0);
    expect(tick?.bid).toBeUndefined();
  });
});
