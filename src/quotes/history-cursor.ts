import { InvalidParameterError } from '../common/api.errors.js';

/**
 * Position of the next page of a history range. `direction` is `forward`
 * when the client gave `from` (pages run later), `backward` otherwise (pages
 * run earlier). `key` ties the cursor to the symbol, interval and adjustment
 * of the request that issued it.
 */
export interface HistoryCursor {
  key: string;
  start: number | null;
  end: number;
  direction: 'forward' | 'backward';
}

export function encodeCursor(cursor: HistoryCursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

export function decodeCursor(text: string, key: string): HistoryCursor {
  const invalid = (detail: string) =>
    new InvalidParameterError('cursor', detail, text);
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw invalid(
      'cursor is not a value this API issued; pass the `next` field of a previous page.',
    );
  }
  if (!isCursor(value)) {
    throw invalid(
      'cursor is not a value this API issued; pass the `next` field of a previous page.',
    );
  }
  if (value.key !== key) {
    throw invalid(
      'cursor belongs to a request for another symbol, interval or adjustment; repeat those parameters unchanged.',
    );
  }

  return value;
}

/** Earliest and latest instants a cursor may hold: years 1900 to 2200. */
const EARLIEST = Date.UTC(1900, 0, 1);
const LATEST = Date.UTC(2200, 0, 1);

function isInstant(value: unknown): value is number {
  return (
    Number.isInteger(value) &&
    (value as number) >= EARLIEST &&
    (value as number) <= LATEST
  );
}

function isCursor(value: unknown): value is HistoryCursor {
  if (typeof value !== 'object' || value === null) return false;
  const cursor = value as Record<string, unknown>;
  const start = cursor.start === null ? null : cursor.start;

  return (
    typeof cursor.key === 'string' &&
    (start === null || isInstant(start)) &&
    isInstant(cursor.end) &&
    (start === null || start <= cursor.end) &&
    (cursor.direction === 'forward' || cursor.direction === 'backward')
  );
}
