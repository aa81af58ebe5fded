import { describe, expect, it, vi } from 'vitest';
import type { Bar } from '../../market/bar.js';
import { SeriesViews } from './series-views.js';

function barsOf(count: number): Bar[] {
  return Array.from({ length: count }, (_, i) => ({
    time: i,
    open: 1,
    high: 1,
    low: 1,
    close: 1,
    volume: 1,
    complete: true,
  }));
}

describe('SeriesViews', () => {
  it('builds a view once', () => {
    const views = new SeriesViews(10);
    const build = vi.fn<() => Bar[]>(() => barsOf(3));
    views.get('a', build);
    views.get('a', build);
    expect(build).toHaveBeenCalledTimes(1);
  });

  it('evicts the least recent view', () => {
    const views = new SeriesViews(10);
    views.get('a', () => barsOf(4));
    views.get('b', () => barsOf(4));
    views.get('a', () => barsOf(4));
    views.get('c', () => barsOf(4));
    const rebuild = vi.fn<() => Bar[]>(() => barsOf(4));
    views.get('a', rebuild);
    views.get('b', rebuild);
    expect(rebuild).toHaveBeenCalledTimes(1);
    expect(views.size).toBeLessThanOrEqual(10);
  });

  it('returns but skips an oversized view', () => {
    const views = new SeriesViews(10);
    expect(views.get('big', () => barsOf(20))).toHaveLength(20);
    expect(views.size).toBe(0);
  });
});
