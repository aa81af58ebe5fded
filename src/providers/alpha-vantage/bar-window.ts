import type { Bar } from '../../market/bar.js';
import type { HistoryQuery } from '../market-data-source.js';
import type { SeriesBar } from './series-rows.js';

/** Bars that fit a request, and the rows left out by reason. */
export interface WindowedBars {
  bars: Bar[];
  outside: number;
  duplicate: number;
}

/**
 * Keeps the bars inside `[start, end]`, or the latest `limit` up to `end`
 * when `start` is null. Of bars sharing a time the last one is kept, which
 * after sorting is the one with the latest source key. `endOf` gives the
 * instant a bar is final, so bars still forming at `now` are incomplete.
 */
export function fitWindow(
  sorted: readonly SeriesBar[],
  query: Pick<HistoryQuery, 'start' | 'end' | 'limit'>,
  endOf: (bar: SeriesBar) => number,
  now: number,
): WindowedBars {
  const unique: SeriesBar[] = [];
  let duplicate = 0;
  for (const bar of sorted) {
    if (unique.at(-1)?.time === bar.time) {
      unique[unique.length - 1] = bar;
      duplicate += 1;
    } else {
      unique.push(bar);
    }
  }
  let kept = unique.filter(
    (bar) =>
      (query.start === null || bar.time >= query.start) &&
      bar.time <= query.end,
  );
  if (query.start === null) kept = kept.slice(-query.limit);

  return {
    bars: kept.map((bar) => toBar(bar, endOf(bar) <= now)),
    outside: unique.length - kept.length,
    duplicate,
  };
}

function toBar(bar: SeriesBar, complete: boolean): Bar {
  const { time, date, open, high, low, close, volume } = bar;

  return date === undefined
    ? { time, open, high, low, close, volume, complete }
    : { time, date, open, high, low, close, volume, complete };
}
