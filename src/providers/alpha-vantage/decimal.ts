import { z } from 'zod';

const DECIMAL = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?%?$/;

/**
 * Reads a number that Alpha Vantage sends as text (`"112.6300"`,
 * `"-0.5852%"`). Placeholders such as `"None"`, `"null"`, `"-"` or an empty
 * string, and anything else that is not a plain decimal, give null.
 */
export function readDecimal(
  value: string | number | null | undefined,
): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  const text = (value ?? '').trim();
  if (!DECIMAL.test(text)) return null;
  const number = Number(text.endsWith('%') ? text.slice(0, -1) : text);

  return Number.isFinite(number) ? number : null;
}

/** A decimal field that must be present and readable. */
export const requiredDecimal = z
  .string()
  .transform((text) => readDecimal(text))
  .pipe(z.number({ error: 'must be a decimal number' }));

/** A decimal field that may be missing or hold a placeholder. */
export const optionalDecimal = z
  .string()
  .optional()
  .transform((text) => readDecimal(text));
