import { UpstreamError } from '../upstream/upstream.errors.js';
import type { UpstreamErrorCode } from '../upstream/upstream.errors.js';
import type { UpstreamResponse } from '../upstream/upstream-http.client.js';
import { errorBodySchema } from './alpaca-schemas.js';

/** The classification of an error response. */
export interface AlpacaFailure {
  code: UpstreamErrorCode;
  detail: string;
  /**
   * True when Alpaca rejected a parameter this adapter built, which is a
   * fault of the adapter rather than of the source or the caller.
   */
  rejectedParameter: boolean;
}

/** A body read as JSON, or why it could not be. */
export type JsonBody =
  { ok: true; value: unknown } | { ok: false; detail: string };

/** Alpaca's 403 body on a plan that withholds the last 15 minutes of SIP data. */
const RECENT_SIP_MESSAGE = /recent SIP data/i;
const PLAN_MESSAGE = /subscription|not permit|upgrade|plan/i;
const RATE_LIMIT_MESSAGE = /too many requests|rate limit/i;
const SYMBOL_MESSAGE = /invalid symbol|unknown symbol|symbol not found/i;
/** Maximum length of Alpaca's own message quoted in an error detail. */
const MAX_QUOTED_LENGTH = 200;

/**
 * Parses a response body as JSON. An HTML page (nginx sends one for a
 * rejected key), an empty body and truncated JSON are reported, not thrown.
 */
export function parseJson(response: UpstreamResponse): JsonBody {
  const contentType = String(response.headers['content-type'] ?? '');
  const text = response.body.trimStart();
  const status = `HTTP ${response.status}`;
  if (contentType.includes('html') || text.startsWith('<')) {
    return {
      ok: false,
      detail: `alpaca sent HTML where JSON was expected (${status}).`,
    };
  }
  if (text.length === 0) {
    return { ok: false, detail: `alpaca sent an empty body (${status}).` };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return {
      ok: false,
      detail: `alpaca sent invalid or truncated JSON (${status}).`,
    };
  }
}

/**
 * Classifies a 4xx response. 401 is a rejected key whatever the body
 * (nginx sends an HTML page). 403 is a plan limit when the message names
 * the subscription, else rejected credentials. 404, 422 and messages about
 * an invalid symbol mean Alpaca does not know the symbol. Any other
 * rejection is a parameter this adapter should not have sent.
 */
export function classifyFailure(
  response: UpstreamResponse,
  symbol: string,
): AlpacaFailure {
  const { status } = response;
  const message = messageOf(response);
  const quoted = message ? `: ${message}` : '';
  const http = `HTTP ${status}`;

  if (RATE_LIMIT_MESSAGE.test(message)) {
    return failure(
      'UPSTREAM_RATE_LIMITED',
      `alpaca rate limited the request (${http})${quoted}`,
    );
  }
  if (status === 401) {
    return failure(
      'UPSTREAM_UNAUTHORIZED',
      `alpaca rejected the key id and secret (${http})${quoted}`,
    );
  }
  if (status === 403) {
    return PLAN_MESSAGE.test(message)
      ? failure(
          'PLAN_NOT_PERMITTED',
          `The alpaca plan of this key does not include this data (${http})${quoted}`,
        )
      : failure(
          'UPSTREAM_UNAUTHORIZED',
          `alpaca refused the key id and secret (${http})${quoted}`,
        );
  }
  if (status === 404 || status === 422 || SYMBOL_MESSAGE.test(message)) {
    return failure(
      'SYMBOL_NOT_FOUND',
      `alpaca does not know ${symbol} (${http})${quoted}`,
    );
  }

  return {
    code: 'UPSTREAM_UNAVAILABLE',
    detail: `alpaca rejected the request for ${symbol} as invalid (${http})${quoted}`,
    rejectedParameter: true,
  };
}

/**
 * Tells whether an error is Alpaca's 403 for SIP data of the last 15
 * minutes, which a free plan withholds.
 */
export function isRecentSipDenial(error: unknown): boolean {
  return (
    error instanceof UpstreamError &&
    error.code === 'PLAN_NOT_PERMITTED' &&
    RECENT_SIP_MESSAGE.test(error.detail)
  );
}

function failure(code: UpstreamErrorCode, detail: string): AlpacaFailure {
  return { code, detail, rejectedParameter: false };
}

/** Returns the `message` of a JSON error body, the title of an HTML page, or ''. */
function messageOf(response: UpstreamResponse): string {
  const json = parseJson(response);
  if (json.ok) {
    const body = errorBodySchema.safeParse(json.value);
    return body.success ? body.data.message.slice(0, MAX_QUOTED_LENGTH) : '';
  }
  const title = /<title>([^<]*)<\/title>/i.exec(response.body)?.[1] ?? '';

  return title.trim().slice(0, MAX_QUOTED_LENGTH);
}
