import type { UpstreamErrorCode } from '../upstream/upstream.errors.js';
import type { UpstreamResponse } from '../upstream/upstream-http.client.js';
import {
  errorBodySchema,
  type DataLinkErrorFields,
} from './data-link-schemas.js';

/** The classification of an error response. */
export interface DataLinkFailure {
  code: UpstreamErrorCode;
  detail: string;
  /**
   * True when Nasdaq Data Link rejected a request this adapter built (a
   * query syntax error or a request too large), which is a fault to fix
   * here rather than one of the source or the caller.
   */
  rejectedRequest: boolean;
}

/** A body read as JSON, or why it could not be. */
export type JsonBody =
  { ok: true; value: unknown } | { ok: false; detail: string };

/** Maximum length of the source's message when quoted in an error detail. */
const MAX_QUOTED_LENGTH = 200;
/** `QEAx01` is family A; the letter after `QE` names the kind of failure. */
const ERROR_CODE = /^QE([A-Z])x/i;

/**
 * Parses a response body as JSON. An HTML page (a proxy's, a maintenance
 * page), an empty body and truncated JSON are reported, not thrown.
 */
export function parseJson(response: UpstreamResponse): JsonBody {
  const contentType = String(response.headers['content-type'] ?? '');
  const text = response.body.trimStart();
  const status = `HTTP ${response.status}`;
  if (contentType.includes('html') || text.startsWith('<')) {
    return {
      ok: false,
      detail: `nasdaq_data_link sent HTML where JSON was expected (${status}).`,
    };
  }
  if (text.length === 0) {
    return {
      ok: false,
      detail: `nasdaq_data_link sent an empty body (${status}).`,
    };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return {
      ok: false,
      detail: `nasdaq_data_link sent invalid or truncated JSON (${status}).`,
    };
  }
}

/** Returns the code and message of an error envelope, or null for other bodies. */
export function errorFieldsOf(value: unknown): DataLinkErrorFields | null {
  const parsed = errorBodySchema.safeParse(value);
  if (!parsed.success) return null;

  return 'quandl_error' in parsed.data
    ? parsed.data.quandl_error
    : parsed.data.error;
}

/**
 * Classifies an error response by the family of its code (`QEA…` key,
 * `QEC…` unknown code, `QEP…` permission, `QES…` query syntax, `QEL…`
 * limits) or, without a code, by the HTTP status. HTTP 410 means the
 * dataset stopped and its data is gone, which is not a failure of the
 * source.
 */
export function classifyFailure(
  status: number,
  fields: DataLinkErrorFields | null,
  symbol: string,
): DataLinkFailure {
  const summary = summarize(status, fields);
  if (status === 410) {
    return failure(
      'DATA_NOT_AVAILABLE',
      `nasdaq_data_link no longer serves this dataset for ${symbol}; it stopped updating and its data is gone (${summary}).`,
    );
  }
  const family = ERROR_CODE.exec(fields?.code ?? '')?.[1] ?? '';
  switch (family.toUpperCase()) {
    case 'A':
      return unauthorized(summary);
    case 'C':
      return notFound(symbol, summary);
    case 'P':
      return notPermitted(summary);
    case 'S':
      return rejected(symbol, summary);
    case 'L':
      // QELx06 to QELx08 (HTTP 413, 414, 422) reject a request as too large.
      return status === 429 ? rateLimited(summary) : rejected(symbol, summary);
    default:
      return byStatus(status, symbol, summary);
  }
}

function byStatus(
  status: number,
  symbol: string,
  summary: string,
): DataLinkFailure {
  switch (status) {
    case 400:
      return rejected(symbol, summary);
    case 401:
      return unauthorized(summary);
    case 403:
      return notPermitted(summary);
    case 404:
      return notFound(symbol, summary);
    case 429:
      return rateLimited(summary);
    default:
      return failure(
        'UPSTREAM_UNAVAILABLE',
        `nasdaq_data_link failed the request for ${symbol} (${summary}).`,
      );
  }
}

function unauthorized(summary: string): DataLinkFailure {
  return failure(
    'UPSTREAM_UNAUTHORIZED',
    `nasdaq_data_link rejected the API key (${summary}); check QUANDL_KEY.`,
  );
}

function notFound(symbol: string, summary: string): DataLinkFailure {
  return failure(
    'SYMBOL_NOT_FOUND',
    `nasdaq_data_link does not know ${symbol} (${summary}).`,
  );
}

function notPermitted(summary: string): DataLinkFailure {
  return failure(
    'PLAN_NOT_PERMITTED',
    `The nasdaq_data_link subscription of this key does not include this data (${summary}).`,
  );
}

function rateLimited(summary: string): DataLinkFailure {
  return failure(
    'UPSTREAM_RATE_LIMITED',
    `nasdaq_data_link rate limited the request (${summary}).`,
  );
}

function rejected(symbol: string, summary: string): DataLinkFailure {
  return {
    code: 'UPSTREAM_UNAVAILABLE',
    detail: `nasdaq_data_link rejected the request for ${symbol} as invalid (${summary}).`,
    rejectedRequest: true,
  };
}

function failure(code: UpstreamErrorCode, detail: string): DataLinkFailure {
  return { code, detail, rejectedRequest: false };
}

/** Summarizes a response for an error detail, e.g. `HTTP 400, QEAx01: We could not…`. */
function summarize(status: number, fields: DataLinkErrorFields | null): string {
  const http = `HTTP ${status}`;
  if (!fields) return http;
  const message = fields.message?.slice(0, MAX_QUOTED_LENGTH);

  return message
    ? `${http}, ${fields.code}: ${message}`
    : `${http}, ${fields.code}`;
}
