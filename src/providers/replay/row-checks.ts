/**
 * Relative slack (0.01 % of the high) by which an open or close may lie
 * outside [low, high], or the high below the low, before a row counts as
 * impossible. It absorbs float artefacts such as 523.4200440000001 and
 * columns rounded to different numbers of decimals.
 */
export const RANGE_TOLERANCE = 1e-4;

/** The values of one row that must be plausible for it to become a bar. */
export interface RowValues {
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number | null;
}

/**
 * Returns why a row's values cannot be real, or null when they can. Real
 * prices are finite and above zero, the high is not below the low, open and
 * close lie in [low, high] within RANGE_TOLERANCE, and the volume is finite
 * and not negative. The reason names fields, never values.
 */
export function impossibleValue(values: RowValues): string | null {
  const { open, high, low, close, volume } = values;
  const price =
    priceProblem('open', open) ??
    priceProblem('high', high) ??
    priceProblem('low', low) ??
    priceProblem('close', close);
  if (price) return price;

  const slack = RANGE_TOLERANCE * high;
  if (high < low - slack) return 'the high is below the low';
  if (outside(open, low, high, slack)) return 'the open is outside low..high';
  if (outside(close, low, high, slack)) return 'the close is outside low..high';
  if (volume !== null && !(Number.isFinite(volume) && volume >= 0)) {
    return 'the volume is negative or not a finite number';
  }

  return null;
}

function priceProblem(name: string, price: number): string | null {
  if (!Number.isFinite(price)) return `the ${name} is not a finite number`;
  if (price <= 0) return `the ${name} is not above zero`;

  return null;
}

function outside(
  price: number,
  low: number,
  high: number,
  slack: number,
): boolean {
  return price < low - slack || price > high + slack;
}
