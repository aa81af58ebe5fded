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

function isCursor(value: unknown): value is HistoryCursor {
  if (typeof value !== 'object' || value === null) return false;
  const cursor = value as Record<string, unknown>;

  return (
    typeof cursor.key === 'string' &&
    (cursor.start === null || Number.isFinite(cursor.start)) &&
    Number.isFinite(cursor.end) &&
    (cursor.direction === 'forward' || cursor.direction === 'backward')
  );
}
