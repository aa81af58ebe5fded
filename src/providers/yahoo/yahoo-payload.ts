import { z } from 'zod';
import type { UpstreamResponse } from '../upstream/upstream-http.client.js';
import type {
  UpstreamError,
  UpstreamErrorCode,
} from '../upstream/upstream.errors.js';

/** Builds the classified error of one response; the adapter binds symbol and status. */
export type Fail = (code: UpstreamErrorCode, detail: string) => UpstreamError;

/** The error object Yahoo puts beside a null `result`. */
export interface YahooErrorBody {
  code: string;
  description: string;
}

const errorEnvelope = z.object({
  error: z.object({
    code: z.string(),
    description: z.string().nullish(),
  }),
});

/** Maximum length of upstream text quoted in an error detail. */
const MAX_QUOTED_LENGTH = 200;

/**
 * Rejects a response before parsing it: 401 and 403 mean the cookie and
 * crumb were refused, whatever the body. An HTML page (a consent or error
 * page served in place of data) and Yahoo's plain-text rate-limit notice
 * cannot be JSON.
 */
export function checkResponse(response: UpstreamResponse, fail: Fail): void {
  const body = response.body.trimStart();
  if (response.status === 401 || response.status === 403) {
    const reason = yahooErrorOf(parseJsonOrNull(body))?.description;
    throw fail(
      'UPSTREAM_UNAUTHORIZED',
      `Yahoo refused the cookie and crumb (HTTP ${response.status}${reason ? `: ${quoted(reason)}` : ''}).`,
    );
  }
  const type = String(response.headers['content-type'] ?? '');
  if (type.includes('text/html') || body.startsWith('<')) {
    throw fail(
      'UPSTREAM_MALFORMED',
      `Yahoo sent an HTML page (HTTP ${response.status}) where JSON was expected.`,
    );
  }
  if (/^too many requests/i.test(body)) {
    throw fail(
      'UPSTREAM_RATE_LIMITED',
      `Yahoo rate limited the request (HTTP ${response.status}).`,
    );
  }
}

/** Parses the body as JSON, failing as malformed on invalid or truncated text. */
export function readJson(response: UpstreamResponse, fail: Fail): unknown {
  checkResponse(response, fail);
  try {
    return JSON.parse(response.body) as unknown;
  } catch {
    // The parser's message quotes the body, so it is not passed on.
    throw fail(
      'UPSTREAM_MALFORMED',
      `Yahoo sent invalid or truncated JSON (HTTP ${response.status}, ${response.body.length} characters).`,
    );
  }
}

/**
 * Returns the error object of a Yahoo envelope such as
 * `{"chart":{"result":null,"error":{"code":"Not Found",...}}}`, or null.
 */
export function yahooErrorOf(json: unknown): YahooErrorBody | null {
  if (typeof json !== 'object' || json === null) return null;
  for (const value of Object.values(json)) {
    const parsed = errorEnvelope.safeParse(value);
    if (parsed.success) {
      const { code, description } = parsed.data.error;

      return { code, description: description ?? '' };
    }
  }

  return null;
}

/** Validates a payload, failing as malformed with the first mismatch's path. */
export function validate<T>(
  schema: z.ZodType<T>,
  json: unknown,
  what: string,
  fail: Fail,
): T {
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue?.path.length ? issue.path.join('.') : 'the top level';

  throw fail(
    'UPSTREAM_MALFORMED',
    `Yahoo's ${what} does not have the expected shape at ${where}: ${issue?.message ?? 'invalid'}.`,
  );
}

/** Rejects a non-2xx status that no endpoint rule has classified. */
export function rejectUnexpectedStatus(
  response: UpstreamResponse,
  fail: Fail,
): void {
  if (response.status >= 200 && response.status < 300) return;

  throw fail(
    'UPSTREAM_MALFORMED',
    `Yahoo answered HTTP ${response.status} without a recognised error.`,
  );
}

/** Shortens upstream text quoted in a detail. */
export function quoted(text: string): string {
  return text.length > MAX_QUOTED_LENGTH
    ? `${text.slice(0, MAX_QUOTED_LENGTH)}…`
    : text;
}

function parseJsonOrNull(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
