import { DateTime } from 'luxon';

/** RFC 3339 date-time with an offset; Alpaca sends up to nine fractional digits. */
const RFC3339 =
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

/**
 * Parses an RFC 3339 instant such as `2021-05-03T14:45:50.532316972Z` into
 * epoch milliseconds, dropping digits below the millisecond. Returns null
 * for any other text, including a date without a time.
 */
export function parseInstant(text: string): number | null {
  if (!RFC3339.test(text)) return null;
  const instant = DateTime.fromISO(text, { setZone: true });

  return instant.isValid ? instant.toMillis() : null;
}

/**
 * Formats epoch milliseconds as an RFC 3339 instant in UTC, rounded down to
 * the second (`2024-03-15T14:30:00Z`), since Alpaca rejects fractions of a
 * second in `start` and `end`.
 */
export function formatInstant(ms: number): string {
  const seconds = Math.floor(ms / 1000) * 1000;

  return new Date(seconds).toISOString().replace('.000Z', 'Z');
}
