import type { Bar } from '../../market/bar.js';
import { pricesIn, viewBars } from './adjustment.js';
import type { ReplaySeries } from './replay-series.js';
import type { SeriesDays } from './series-days.js';
import { showsRatio, splitState } from './split-detection.js';

/**
 * Prices a view starts from: the stored prices, the stored prices with
 * every visible split divided out, or the files' adjusted prices (where a
 * row has them) with every split still visible in them divided out.
 */
export type ViewBasis = 'stored' | 'stored+splits' | 'adjusted+splits';

interface Cut {
  /** Index of the first bar after the split's jump. */
  boundary: number;
  ratio: number;
  /** Whether the adjusted closes show the jump too. */
  adjClose: boolean;
}

/**
 * Returns a series' stored bars as `basis` serves them, before any
 * aggregation. Dividing out a visible split divides the open, high, low and
 * close of every bar before its jump by the ratio and multiplies the volume
 * by it. The adjusted close is divided only where it shows the jump as well,
 * because Yahoo's older exports adjust it for splits that Close is not.
 */
export function basisBars(
  series: ReplaySeries,
  basis: ViewBasis,
  days: SeriesDays,
): Bar[] {
  const adjusted = basis === 'adjusted+splits';
  const bars = viewBars(series.bars, adjusted);
  if (basis === 'stored') return bars;

  return divideBefore(bars, visibleCuts(series, adjusted, days));
}

function visibleCuts(
  series: ReplaySeries,
  adjusted: boolean,
  days: SeriesDays,
): Cut[] {
  const cuts: Cut[] = [];
  for (const event of series.events) {
    if (event.type !== 'split') continue;
    const state = splitState(series.bars, event, days, pricesIn(adjusted));
    if (state.kind !== 'visible') continue;
    const { boundary, ratio } = state;
    const before = series.bars[boundary - 1]?.adjClose;
    const after = series.bars[boundary]?.adjClose;
    const adjClose =
      before !== undefined &&
      after !== undefined &&
      showsRatio(before / after, ratio);
    cuts.push({ boundary, ratio, adjClose });
  }

  return cuts;
}

function divideBefore(bars: readonly Bar[], cuts: readonly Cut[]): Bar[] {
  const factors = new Float64Array(bars.length).fill(1);
  const adjCloseFactors = new Float64Array(bars.length).fill(1);
  for (const { boundary, ratio, adjClose } of cuts) {
    for (let i = 0; i < boundary; i += 1) {
      factors[i] = (factors[i] ?? 1) * ratio;
      if (adjClose) adjCloseFactors[i] = (adjCloseFactors[i] ?? 1) * ratio;
    }
  }

  return bars.map((bar, i) =>
    divided(bar, factors[i] ?? 1, adjCloseFactors[i] ?? 1),
  );
}

function divided(bar: Bar, factor: number, adjCloseFactor: number): Bar {
  if (factor === 1 && adjCloseFactor === 1) return bar;
  const result: Bar = {
    ...bar,
    open: bar.open / factor,
    high: bar.high / factor,
    low: bar.low / factor,
    close: bar.close / factor,
    volume: bar.volume === null ? null : bar.volume * factor,
  };
  if (bar.adjClose !== undefined) {
    result.adjClose = bar.adjClose / adjCloseFactor;
  }

  return result;
}
