import { z } from 'zod';
import type { UpstreamResponse } from '../upstream/upstream-http.client.js';
import type {
  UpstreamError,
  UpstreamErrorCode,
} from '../upstream/upstream.errors.js';

/** Builds the classified error of one response; the adapter binds symbol and status. */
export type Fail = (code: UpstreamErrorCode, detail: string) => UpstreamError;

/** The body Finnhub sends with a rejected REST call: `{"error": "..."}`. */
const errorBody = z.object({ error: z.string() });

/** Messages Finnhub sends: `API limit reached. Please try again later. ...` */
const RATE_LIMIT_MESSAGE = /api limit reached|too many requests/i;
/** `Invalid API key.` and `Please use an API key.` */
const KEY_MESSAGE = /api key/i;
/** `You don't have access to this resource.` */
const PLAN_MESSAGE = /have access to this resource/i;
/** Maximum length of Finnhub's own message quoted in an error detail. */
const MAX_QUOTED_LENGTH = 200;

/**
 * Reads a Finnhub response into a validated payload, or throws the
 * classified failure:
 *
 * - an HTML page (an error or maintenance page) is UPSTREAM_MALFORMED;
 * - 401 (`Invalid API key.`, `Please use an API key.`) is
 *   UPSTREAM_UNAUTHORIZED, whatever the body;
 * - 403 (`You don't have access to this resource.`, sent for premium
 *   endpoints on a free key) is PLAN_NOT_PERMITTED;
 * - a rate-limit notice, as an `error` body or as plain text, is
 *   UPSTREAM_RATE_LIMITED;
 * - another `error` body is classified by its message, and is
 *   UPSTREAM_UNAVAILABLE when the message names no known cause;
 * - an empty body or invalid or truncated JSON is UPSTREAM_MALFORMED;
 * - a body that fails `schema` is UPSTREAM_MALFORMED.
 *
 * HTTP 429 never gets here: the upstream client turns it into
 * UPSTREAM_RATE_LIMITED before parsing, whatever its body.
 */
export function readPayload<T>(
  response: UpstreamResponse,
  schema: z.ZodType<T>,
  payloadName: string,
  fail: Fail,
): T {
  const http = `HTTP ${response.status}`;
  if (isHtml(response)) {
    throw fail(
      'UPSTREAM_MALFORMED',
      `Finnhub sent an HTML page (${http}) where JSON was expected.`,
    );
  }
  const json = parseJson(response.body);
  const message = errorMessageOf(json);
  if (response.status === 401) {
    throw fail(
      'UPSTREAM_UNAUTHORIZED',
      `Finnhub rejected the API key (${http})${quoted(message)}`,
    );
  }
  if (response.status === 403) {
    throw fail(
      'PLAN_NOT_PERMITTED',
      `The Finnhub plan of this key does not include this data (${http})${quoted(message)}`,
    );
  }
  if (json === undefined) throw notJson(response.body, http, fail);
  if (message !== null) throw classifiedError(message, http, fail);
  if (response.status >= 300) {
    throw fail(
      'UPSTREAM_UNAVAILABLE',
      `Finnhub returned ${http} without an error message.`,
    );
  }

  return validate(schema, json, payloadName, fail);
}

/**
 * Classifies a body that is not JSON: a plain-text rate-limit notice, else
 * an empty body or invalid or truncated JSON.
 */
function notJson(body: string, http: string, fail: Fail): UpstreamError {
  if (RATE_LIMIT_MESSAGE.test(body)) {
    return fail(
      'UPSTREAM_RATE_LIMITED',
      `Finnhub rate limited the request (${http})${quoted(body.trim())}`,
    );
  }

  return fail(
    'UPSTREAM_MALFORMED',
    body.trim().length === 0
      ? `Finnhub sent an empty body (${http}).`
      : `Finnhub sent invalid or truncated JSON (${http}, ${body.length} characters).`,
  );
}

/** Classifies an `error` body that came without 401 or 403. */
function classifiedError(
  message: string,
  http: string,
  fail: Fail,
): UpstreamError {
  const quotedMessage = quoted(message);
  if (RATE_LIMIT_MESSAGE.test(message)) {
    return fail(
      'UPSTREAM_RATE_LIMITED',
      `Finnhub rate limited the request (${http})${quotedMessage}`,
    );
  }
  if (PLAN_MESSAGE.test(message)) {
    return fail(
      'PLAN_NOT_PERMITTED',
      `The Finnhub plan of this key does not include this data (${http})${quotedMessage}`,
    );
  }
  if (KEY_MESSAGE.test(message)) {
    return fail(
      'UPSTREAM_UNAUTHORIZED',
      `Finnhub rejected the API key (${http})${quotedMessage}`,
    );
  }

  return fail(
    'UPSTREAM_UNAVAILABLE',
    `Finnhub rejected the request (${http})${quotedMessage}`,
  );
}

function validate<T>(
  schema: z.ZodType<T>,
  json: unknown,
  payloadName: string,
  fail: Fail,
): T {
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue?.path.length ? issue.path.join('.') : 'the top level';

  throw fail(
    'UPSTREAM_MALFORMED',
    `Finnhub's ${payloadName} does not have the expected shape at ${where}: ${issue?.message ?? 'invalid'}.`,
  );
}

function isHtml(response: UpstreamResponse): boolean {
  const type = String(response.headers['content-type'] ?? '');

  return (
    type.includes('text/html') || response.body.trimStart().startsWith('<')
  );
}

/** Parses JSON, returning undefined for an empty, invalid or truncated body. */
function parseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    // The parser's message quotes the body, so it is not passed on.
    return undefined;
  }
}

function errorMessageOf(json: unknown): string | null {
  const parsed = errorBody.safeParse(json);

  return parsed.success ? parsed.data.error : null;
}

/** Formats Finnhub's message to end a detail: `: message`, or `.` without one. */
function quoted(message: string | null): string {
  if (!message) return '.';
  const text =
    message.length > MAX_QUOTED_LENGTH
      ? `${message.slice(0, MAX_QUOTED_LENGTH)}…`
      : message;

  return `: ${text}`;
}
