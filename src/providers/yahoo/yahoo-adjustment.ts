import type { Adjustment, Bar, CorporateAction } from '../../market/bar.js';
import { showsRatio } from '../replay/split-detection.js';

/** A jump between two days' prices that has the size of a split. */
export interface SplitSizedJump {
  /** Trading date of the first bar after the jump. */
  date: string;
  /** Last close before the jump divided by the first open after it. */
  jump: number;
}

/**
 * Split ratios a jump is compared with, besides those Yahoo reports, and
 * their reverses. 3:2 and smaller are left out, because ordinary
 * one-day moves of 20 to 40% would match them.
 */
const COMMON_RATIOS = [2, 3, 4, 5, 6, 7, 8, 10, 15, 20, 25, 30, 50];

/**
 * Finds the first day boundary whose jump (last close before it over first
 * open after it) matches a split ratio within the tolerance the replay
 * source uses (`showsRatio`). Yahoo's OHLC are meant to be adjusted for
 * every split, so such a jump means a split it did not apply, whether it
 * reports the split or not.
 *
 * NOTE: a genuine one-day fall of more than about 37% or rise of more
 * than 60% matches too; those bars are then labelled raw.
 */
export function findSplitSizedJump(
  bars: readonly Bar[],
  dateOf: (bar: Bar) => string,
  events: readonly CorporateAction[],
): SplitSizedJump | null {
  const reported = events.flatMap((event) =>
    event.type === 'split' ? [event.ratio] : [],
  );
  const ratios = [...new Set([...COMMON_RATIOS, ...reported])].flatMap(
    (ratio) => [ratio, 1 / ratio],
  );
  for (let index = 1; index < bars.length; index += 1) {
    const before = bars[index - 1];
    const after = bars[index];
    if (!before || !after || dateOf(before) === dateOf(after)) continue;
    const jump = before.close / after.open;
    if (ratios.some((ratio) => showsRatio(jump, ratio))) {
      return { date: dateOf(after), jump };
    }
  }

  return null;
}

/** The prices a response serves and the label they get. */
export interface AdjustmentPlan {
  /** Scale open, high and low by adjClose / close and serve adjClose as close. */
  fromAdjClose: boolean;
  /** Serve Yahoo's adjusted close beside the prices. */
  keepAdjClose: boolean;
  adjustment: Adjustment;
}

/**
 * Decides the prices of a chart response. Yahoo's OHLC are split-adjusted
 * and its adjusted close is split- and dividend-adjusted, so `adjusted`
 * serves the latter where the chart has it. A split-sized jump disproves
 * the split adjustment, so the OHLC are then served unscaled as `raw`.
 */
export function planAdjustment(
  adjusted: boolean,
  hasAdjClose: boolean,
  jump: SplitSizedJump | null,
): AdjustmentPlan {
  if (jump) {
    return { fromAdjClose: false, keepAdjClose: false, adjustment: 'raw' };
  }
  if (adjusted && hasAdjClose) {
    return {
      fromAdjClose: true,
      keepAdjClose: false,
      adjustment: 'split+dividend',
    };
  }

  return {
    fromAdjClose: false,
    keepAdjClose: hasAdjClose,
    adjustment: 'split',
  };
}

/** Significant digits kept for prices scaled by adjClose / close. */
const SCALED_DIGITS = 10;

/** Returns a bar with open, high and low scaled by adjClose / close. */
export function scaleToAdjClose(bar: Bar, adjClose: number): Bar {
  const factor = adjClose / bar.close;
  const scale = (value: number) =>
    Number((value * factor).toPrecision(SCALED_DIGITS));

  return {
    ...bar,
    open: scale(bar.open),
    high: scale(bar.high),
    low: scale(bar.low),
    close: adjClose,
  };
}
