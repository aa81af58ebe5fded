import type { UpstreamErrorCode } from '../upstream/upstream.errors.js';
import type { UpstreamResponse } from '../upstream/upstream-http.client.js';
import { errorBodySchema } from './polygon-schemas.js';

/** The classification of an error response or error body. */
export interface PolygonFailure {
  code: UpstreamErrorCode;
  detail: string;
  /**
   * True when Polygon rejected a parameter this adapter built, which is a
   * fault of the adapter rather than of the source or the caller.
   */
  rejectedParameter: boolean;
}

/** Body statuses that mean failure even when the HTTP status is 200. */
const ERROR_STATUSES: ReadonlySet<string> = new Set([
  'ERROR',
  'NOT_AUTHORIZED',
  'NOT_FOUND',
]);
const RATE_LIMIT_MESSAGE =
  /exceeded the maximum requests|rate limit|too many requests/i;
const PLAN_MESSAGE = /not entitled|upgrade your plan|plan does(?:n't| not)/i;
const KEY_MESSAGE = /api key/i;
/** Maximum length of Polygon's own message quoted in an error detail. */
const MAX_QUOTED_LENGTH = 200;

function failure(code: UpstreamErrorCode, detail: string): PolygonFailure {
  return { code, detail, rejectedParameter: false };
}

/** A body read as JSON, or why it could not be. */
export type JsonBody =
  { ok: true; value: unknown } | { ok: false; detail: string };

/**
 * Parses a response body as JSON. An HTML page (a proxy's or a login
 * page), an empty body and truncated JSON are reported, not thrown.
 */
export function parseJson(response: UpstreamResponse): JsonBody {
  const contentType = String(response.headers['content-type'] ?? '');
  const text = response.body.trimStart();
  const status = `HTTP ${response.status}`;
  if (contentType.includes('html') || text.startsWith('<')) {
    return {
      ok: false,
      detail: `polygon sent HTML where JSON was expected (${status}).`,
    };
  }
  if (text.length === 0) {
    return { ok: false, detail: `polygon sent an empty body (${status}).` };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return {
      ok: false,
      detail: `polygon sent invalid or truncated JSON (${status}).`,
    };
  }
}

/** Tells whether a 2xx body is one of Polygon's error bodies. */
export function isErrorBody(value: unknown): boolean {
  const body = errorBodySchema.safeParse(value);

  return body.success && ERROR_STATUSES.has(body.data.status ?? '');
}

/**
 * Classifies an error response: 401 is a rejected key, 403 `NOT_AUTHORIZED`
 * a plan without the endpoint, 404 an unknown ticker. Other bodies are
 * classified from Polygon's message; one that names no known cause is a
 * parameter Polygon rejected.
 */
export function classifyFailure(
  status: number,
  value: unknown,
  symbol: string,
): PolygonFailure {
  const parsed = errorBodySchema.safeParse(value);
  const body = parsed.success ? parsed.data : {};
  const message = (body.error ?? body.message ?? '').slice(
    0,
    MAX_QUOTED_LENGTH,
  );
  const quoted = message ? `: ${message}` : '';
  const http = `HTTP ${status}`;

  if (status === 401) {
    return failure(
      'UPSTREAM_UNAUTHORIZED',
      `polygon rejected the API key (${http})${quoted}`,
    );
  }
  if (status === 404 || body.status === 'NOT_FOUND') {
    return failure(
      'SYMBOL_NOT_FOUND',
      `polygon does not know ${symbol} (${http})${quoted}`,
    );
  }
  if (body.status === 'NOT_AUTHORIZED' || PLAN_MESSAGE.test(message)) {
    return failure(
      'PLAN_NOT_PERMITTED',
      `The polygon plan of this key does not include this data (${http})${quoted}`,
    );
  }
  if (RATE_LIMIT_MESSAGE.test(message)) {
    return failure(
      'UPSTREAM_RATE_LIMITED',
      `polygon rate limited the request (${http})${quoted}`,
    );
  }
  if (status === 403 || KEY_MESSAGE.test(message)) {
    return failure(
      'UPSTREAM_UNAUTHORIZED',
      `polygon refused the request (${http})${quoted}`,
    );
  }

  return {
    code: 'UPSTREAM_UNAVAILABLE',
    detail: `polygon rejected the request for ${symbol} as invalid (${http})${quoted}`,
    rejectedParameter: true,
  };
}
