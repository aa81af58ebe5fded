import { ApiError } from '../../common/api.errors.js';
import type { ErrorCode } from '../../common/error-catalogue.js';

/** Failure classes an upstream call can end in, as error catalogue codes. */
export type UpstreamErrorCode = Extract<
  ErrorCode,
  | 'SYMBOL_NOT_FOUND'
  | 'DATA_NOT_AVAILABLE'
  | 'UPSTREAM_RATE_LIMITED'
  | 'QUOTA_EXHAUSTED'
  | 'UPSTREAM_UNAUTHORIZED'
  | 'PLAN_NOT_PERMITTED'
  | 'UPSTREAM_UNAVAILABLE'
  | 'UPSTREAM_MALFORMED'
  | 'UPSTREAM_TIMEOUT'
>;

/**
 * A classified failure of one upstream source. The detail never contains a
 * key or token: the HTTP client scrubs secrets before building one.
 */
export class UpstreamError extends ApiError {
  constructor(
    code: UpstreamErrorCode,
    readonly source: string,
    detail: string,
    options: {
      symbol?: string;
      retryAfterMs?: number;
      status?: number;
      retryable?: boolean;
    } = {},
  ) {
    super(code, detail, { source, symbol: options.symbol });
    this.name = 'UpstreamError';
    this.retryAfterMs = options.retryAfterMs;
    this.upstreamStatus = options.status;
    this.retryable = options.retryable ?? false;
  }

  /**
   * True for transport failures (5xx, network errors, attempt timeouts) that
   * another attempt may cure; a payload the source sent on purpose, such as
   * a notice in a 200 body, is never retried, since retrying spends quota.
   */
  readonly retryable: boolean;

  /** Wait the source asked for before the next call, from `Retry-After`. */
  readonly retryAfterMs: number | undefined;
  /** HTTP status the source answered with, when it answered. */
  readonly upstreamStatus: number | undefined;
}
