/**
 * Every error code the API returns, with its HTTP status and whether a failing
 * source hands the request on to the next one. docs/errors.md lists the same
 * rows; a unit test keeps the two in step.
 */
export const ERROR_CATALOGUE = {
  INVALID_PARAMETER: {
    status: 400,
    title: 'Invalid parameter',
    failover: false,
  },
  UNAUTHORIZED: { status: 401, title: 'Unauthorized', failover: false },
  TOKEN_EXPIRED: { status: 401, title: 'Token expired', failover: false },
  FORBIDDEN: { status: 403, title: 'Forbidden', failover: false },
  NOT_FOUND: { status: 404, title: 'Route not found', failover: false },
  METHOD_NOT_ALLOWED: {
    status: 405,
    title: 'Method not allowed',
    failover: false,
  },
  SYMBOL_NOT_FOUND: { status: 404, title: 'Symbol not found', failover: true },
  DATA_NOT_AVAILABLE: {
    status: 404,
    title: 'Data not available',
    failover: true,
  },
  PAYLOAD_TOO_LARGE: {
    status: 413,
    title: 'Payload too large',
    failover: false,
  },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    title: 'Unsupported media type',
    failover: false,
  },
  RATE_LIMITED: { status: 429, title: 'Too many requests', failover: false },
  HEADERS_TOO_LARGE: {
    status: 431,
    title: 'Request header fields too large',
    failover: false,
  },
  UPSTREAM_RATE_LIMITED: {
    status: 503,
    title: 'Upstream rate limited',
    failover: true,
  },
  QUOTA_EXHAUSTED: {
    status: 503,
    title: 'Upstream quota exhausted',
    failover: true,
  },
  UPSTREAM_UNAUTHORIZED: {
    status: 503,
    title: 'Upstream rejected our credentials',
    failover: true,
  },
  PLAN_NOT_PERMITTED: {
    status: 503,
    title: 'Upstream plan does not permit this request',
    failover: true,
  },
  UPSTREAM_UNAVAILABLE: {
    status: 503,
    title: 'Upstream unavailable',
    failover: true,
  },
  UPSTREAM_MALFORMED: {
    status: 502,
    title: 'Upstream response malformed',
    failover: true,
  },
  UPSTREAM_TIMEOUT: { status: 504, title: 'Upstream timeout', failover: false },
  INTERNAL_ERROR: { status: 500, title: 'Internal error', failover: false },
} as const satisfies Record<
  string,
  { status: number; title: string; failover: boolean }
>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/**
 * The `type` of a problem body: a relative URI that the API itself serves,
 * returning the catalogue entry for the code.
 */
export function problemType(code: ErrorCode): string {
  return '/problems/' + code.toLowerCase().replaceAll('_', '-');
}
