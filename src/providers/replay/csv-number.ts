/** Cell texts that mark a value as missing rather than malformed. */
const MISSING = new Set(['', 'null', 'nan', 'none', 'na', 'n/a', '-']);
const PLAIN_NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?$/i;
const COMMA_GROUPS = /^[-+]?\d{1,3}(?:,\d{3})+(?:\.\d*)?$/;
const DOT_GROUPS = /^[-+]?\d{1,3}(?:\.\d{3})+(?:,\d*)?$/;

/**
 * Parses a numeric cell as written: thousands separators are dropped and a
 * leading currency sign is ignored, but the value is never rounded. With
 * `decimalComma` the comma is the decimal mark and dots group thousands.
 * Returns null for an empty or missing-value marker (`null`, `NaN`) and
 * undefined for text that is not a number.
 */
export function parseNumber(
  cell: string,
  decimalComma = false,
): number | null | undefined {
  const text = cell.trim().replace(/^\$/, '');
  if (MISSING.has(text.toLowerCase())) return null;

  const plain = decimalComma ? fromDecimalComma(text) : fromDecimalDot(text);
  if (!PLAIN_NUMBER.test(plain)) return undefined;

  return Number(plain);
}

function fromDecimalDot(text: string): string {
  return COMMA_GROUPS.test(text) ? text.replaceAll(',', '') : text;
}

function fromDecimalComma(text: string): string {
  const ungrouped = DOT_GROUPS.test(text) ? text.replaceAll('.', '') : text;

  return ungrouped.replace(',', '.');
}

/**
 * Tells whether a cell is written with a decimal comma, such as `123,45` or
 * `1.234,5`. A comma followed by three digits alone (`4,787`) is read as a
 * thousands separator, so it does not count.
 */
export function hasDecimalComma(cell: string): boolean {
  return /^[-+]?[\d.]*\d,(?:\d{1,2}|\d{4,})$/.test(cell.trim());
}
