import type { Quote } from '../../market/quote.js';

/** A quote with its inconsistent fields set to null, and what was dropped. */
export interface CheckedQuote {
  quote: Quote;
  /** One entry per dropped group, e.g. `high and low (low 38217.11 > high 3834.41)`. */
  dropped: string[];
}

/**
 * Sets fields that contradict each other to null rather than serving them:
 * a low above the high drops both, and so does a bid above the ask. An open
 * or price outside a consistent day range is kept, because trades outside
 * regular hours can set it. The price itself is never dropped.
 */
export function checkQuote(quote: Quote): CheckedQuote {
  const checked = { ...quote };
  const dropped: string[] = [];
  if (
    checked.low !== null &&
    checked.high !== null &&
    checked.low > checked.high
  ) {
    dropped.push(`high and low (low ${checked.low} > high ${checked.high})`);
    checked.high = null;
    checked.low = null;
  }
  if (
    checked.bid !== null &&
    checked.ask !== null &&
    checked.bid > checked.ask
  ) {
    dropped.push(`bid and ask (bid ${checked.bid} > ask ${checked.ask})`);
    checked.bid = null;
    checked.ask = null;
  }

  return { quote: checked, dropped };
}
