import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RepeatedErrorLog } from './repeated-errors.js';

describe('RepeatedErrorLog', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('logs the first error and a summary of the repeats', () => {
    const warn = vi.fn<(message: string) => void>();
    const log = new RepeatedErrorLog({ warn }, 60_000);
    for (let index = 0; index < 50; index += 1)
      log.report('polygon UPSTREAM_UNAVAILABLE', `failure ${index}`);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenLastCalledWith('failure 0');

    vi.advanceTimersByTime(60_000);
    expect(warn).toHaveBeenCalledTimes(2);
    expect(warn).toHaveBeenLastCalledWith(
      '49 more like this in 60 s (polygon UPSTREAM_UNAVAILABLE); the last: failure 49',
    );
  });

  it('keeps kinds apart', () => {
    const warn = vi.fn<(message: string) => void>();
    const log = new RepeatedErrorLog({ warn }, 60_000);
    log.report('polygon UPSTREAM_UNAVAILABLE', 'a');
    log.report('finnhub UPSTREAM_RATE_LIMITED', 'b');
    expect(warn.mock.calls).toEqual([['a'], ['b']]);
  });

  it('writes no summary without repeats and starts over after a window', () => {
    const warn = vi.fn<(message: string) => void>();
    const log = new RepeatedErrorLog({ warn }, 1000);
    log.report('key', 'first');
    vi.advanceTimersByTime(1000);
    log.report('key', 'again');
    expect(warn.mock.calls).toEqual([['first'], ['again']]);
  });

  it('flushes open windows', () => {
    const warn = vi.fn<(message: string) => void>();
    const log = new RepeatedErrorLog({ warn }, 60_000);
    log.report('key', 'first');
    log.report('key', 'second');
    log.flush();
    expect(warn).toHaveBeenCalledTimes(2);
    vi.advanceTimersByTime(60_000);
    expect(warn).toHaveBeenCalledTimes(2);
  });
});
