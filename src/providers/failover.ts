import { ApiError } from '../common/api.errors.js';
import { ERROR_CATALOGUE, type ErrorCode } from '../common/error-catalogue.js';
import type { SourceId } from './market-data-source.js';

/** The failure of one source on one request. */
export interface Attempt {
  source: SourceId;
  code: ErrorCode;
  detail: string;
  /** Wait the source asked for, when it rate limited the call or its quota ran out. */
  retryAfterMs?: number;
}

const NOT_FOUND: ReadonlySet<ErrorCode> = new Set([
  'SYMBOL_NOT_FOUND',
  'DATA_NOT_AVAILABLE',
]);

/**
 * Tells whether a source's error hands the request to the next source. An
 * error that is not an ApiError is a fault of the source, so the next one
 * is tried too.
 */
export function failsOver(error: unknown): boolean {
  return !(error instanceof ApiError) || ERROR_CATALOGUE[error.code].failover;
}

/**
 * Combines the failures of every source tried into the one error the client
 * gets: 404 only when every source reported not found (DATA_NOT_AVAILABLE when
 * any knew the symbol but not the range), 502 only when every failure was a
 * malformed response, else 503, with the shared code when all sources agree.
 */
export function combineFailures(
  symbol: string,
  attempts: readonly Attempt[],
): ApiError {
  const codes = new Set(attempts.map((attempt) => attempt.code));
  const extra = { symbol, attempts };
  const first = attempts[0];
  if (!first) {
    return new ApiError(
      'UPSTREAM_UNAVAILABLE',
      `No configured source can serve ${symbol}.`,
      extra,
    );
  }
  if ([...codes].every((code) => NOT_FOUND.has(code))) {
    const known = attempts.find(
      (attempt) => attempt.code === 'DATA_NOT_AVAILABLE',
    );
    return known
      ? new ApiError('DATA_NOT_AVAILABLE', known.detail, extra)
      : new ApiError(
          'SYMBOL_NOT_FOUND',
          notFoundDetail(symbol, attempts),
          extra,
        );
  }

  const failures = attempts.filter((attempt) => !NOT_FOUND.has(attempt.code));
  const failureCodes = new Set(failures.map((attempt) => attempt.code));
  const [only] = failureCodes;
  const code: ErrorCode =
    failureCodes.size === 1 && only ? only : 'UPSTREAM_UNAVAILABLE';
  const summary = failures
    .map((attempt) => `${attempt.source}: ${attempt.detail}`)
    .join(' ');

  const waits = failures.map((attempt) => attempt.retryAfterMs);
  const retryAfter = waits.every((wait) => wait !== undefined)
    ? Math.ceil(Math.min(...waits) / 1000)
    : undefined;

  return new ApiError(code, `No source could serve ${symbol}. ${summary}`, {
    ...extra,
    retryAfter,
  });
}

function notFoundDetail(symbol: string, attempts: readonly Attempt[]): string {
  if (attempts.length === 1)
    return attempts[0]?.detail ?? `Symbol ${symbol} was not found.`;
  const sources = attempts.map((attempt) => attempt.source).join(', ');

  return `Symbol ${symbol} was not found by any source (${sources}).`;
}
