import type { Adjustment, CorporateAction } from '../../market/bar.js';
import type { ViewBasis } from './adjusted-view.js';
import { hasOneAdjustedSource, pricesIn } from './adjustment.js';
import type { ReplaySeries, StoredBar } from './replay-series.js';
import type { SeriesDays } from './series-days.js';
import { splitState, type SplitState } from './split-detection.js';

/** The prices of one history response and its adjustment label. */
export interface AdjustmentPlan {
  basis: ViewBasis;
  adjustment: Adjustment;
}

type Split = Extract<CorporateAction, { type: 'split' }>;

/**
 * Decides the prices of a response whose bars start on `firstDate` and are
 * built from the stored bars `span`. Only splits dated after `firstDate`
 * change those bars, including splits after the range, because adjusted
 * prices are stated in the shares of the series' last date.
 *
 * - Unadjusted: bars as stored, labelled `split` when at least one such
 *   split exists and every one is already reflected in the prices, else
 *   `raw`.
 * - Adjusted: the files' adjusted prices when every stored bar of the span
 *   has them from one file, else the stored prices. Every split still
 *   visible in those prices is then divided out. The label is
 *   `split+dividend` with adjusted prices, `split` when splits exist, and
 *   `raw` when there are none.
 * - A split whose jump is unclear (see splitState) cannot be labelled, so
 *   the bars are served as stored and labelled `raw`.
 */
export function planAdjustment(
  series: ReplaySeries,
  span: readonly StoredBar[],
  firstDate: string,
  adjusted: boolean,
  days: SeriesDays,
): AdjustmentPlan {
  const splits = series.events.filter(
    (event): event is Split => event.type === 'split' && event.date > firstDate,
  );
  const fromColumns = adjusted && hasOneAdjustedSource(span);
  const states = splits.map((split) =>
    splitState(series.bars, split, days, pricesIn(fromColumns)),
  );
  if (states.some((state) => state.kind === 'unclear')) {
    return { basis: 'stored', adjustment: 'raw' };
  }
  if (!adjusted) {
    return {
      basis: 'stored',
      adjustment: allReflected(states) ? 'split' : 'raw',
    };
  }
  if (fromColumns) {
    return { basis: 'adjusted+splits', adjustment: 'split+dividend' };
  }
  if (splits.length === 0) return { basis: 'stored', adjustment: 'raw' };

  return {
    basis: allReflected(states) ? 'stored' : 'stored+splits',
    adjustment: 'split',
  };
}

function allReflected(states: readonly SplitState[]): boolean {
  return (
    states.length > 0 && states.every((state) => state.kind === 'reflected')
  );
}
