import type { z } from 'zod';
import type {
  UpstreamError,
  UpstreamErrorCode,
} from '../upstream/upstream.errors.js';
import type { UpstreamResponse } from '../upstream/upstream-http.client.js';
import type { UpstreamContext } from '../upstream/upstream-source.js';
import { errorBodySchema } from './coinbase-schemas.js';

type Query = Record<string, string | number | boolean | undefined>;

/** A `User-Agent` naming the product, which Coinbase expects API clients to send. */
export const USER_AGENT = 'market-data-api (Coinbase Exchange adapter)';

/** Maximum length of Coinbase's own message quoted in an error detail. */
const MAX_QUOTED_LENGTH = 200;

/**
 * GETs against the Coinbase Exchange public REST API through the shared
 * upstream client. The market data endpoints need no key. Every body is
 * checked against its zod schema before use.
 */
export class CoinbaseHttp {
  constructor(private readonly context: UpstreamContext) {}

  /** Sends a GET; `symbol` is the canonical symbol (or search text) named in logs and errors. */
  get<T>(
    path: string,
    query: Query,
    symbol: string,
    schema: z.ZodType<T>,
  ): Promise<T> {
    const headers = { 'user-agent': USER_AGENT };

    return this.context.client.call({ path, query, headers, symbol }, (res) =>
      this.read(res, schema, symbol),
    );
  }

  error(
    code: UpstreamErrorCode,
    detail: string,
    symbol: string,
    status?: number,
  ): UpstreamError {
    return this.context.client.error(code, detail, symbol, { status });
  }

  /**
   * Turns a 2xx-4xx response into data or a classified error. An HTML page
   * (a proxy's or a maintenance page) is malformed whatever its status.
   * 404 is a product Coinbase does not list, 401 and 403 a rejected
   * request, and any other 4xx a request this adapter built wrongly.
   */
  private read<T>(
    response: UpstreamResponse,
    schema: z.ZodType<T>,
    symbol: string,
  ): T {
    const { status } = response;
    if (isHtml(response)) {
      throw this.error(
        'UPSTREAM_MALFORMED',
        `coinbase sent an HTML page (HTTP ${status}) where JSON was expected.`,
        symbol,
        status,
      );
    }
    if (status >= 400) throw this.failure(response, symbol);
    if (status < 200 || status >= 300) {
      throw this.error(
        'UPSTREAM_MALFORMED',
        `coinbase answered HTTP ${status}, which is neither data nor an error.`,
        symbol,
        status,
      );
    }

    return this.validate(schema, parseJson(response.body), response, symbol);
  }

  private failure(response: UpstreamResponse, symbol: string): UpstreamError {
    const { status } = response;
    const message = errorMessage(response.body);
    const quoted = message ? `: ${message}` : '';
    if (status === 404) {
      return this.error(
        'SYMBOL_NOT_FOUND',
        `coinbase does not list ${symbol} (HTTP 404${quoted}).`,
        symbol,
        status,
      );
    }
    if (status === 401 || status === 403) {
      return this.error(
        'UPSTREAM_UNAUTHORIZED',
        `coinbase rejected the request for ${symbol} as unauthorized (HTTP ${status}${quoted}).`,
        symbol,
        status,
      );
    }
    const error = this.error(
      'UPSTREAM_UNAVAILABLE',
      `coinbase rejected the request for ${symbol} as invalid (HTTP ${status}${quoted}).`,
      symbol,
      status,
    );
    // The adapter built a request Coinbase cannot serve: a bug to fix here.
    this.context.logger.error(
      `coinbase ${symbol}: ${error.code}, request rejected: ${error.detail}`,
    );

    return error;
  }

  private validate<T>(
    schema: z.ZodType<T>,
    json: JsonBody,
    response: UpstreamResponse,
    symbol: string,
  ): T {
    const { status } = response;
    if (!json.ok) {
      throw this.error(
        'UPSTREAM_MALFORMED',
        `coinbase sent ${json.problem} (HTTP ${status}, ${response.body.length} characters).`,
        symbol,
        status,
      );
    }
    const parsed = schema.safeParse(json.value);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : 'the top level';

    throw this.error(
      'UPSTREAM_MALFORMED',
      `coinbase sent a body that does not match its schema at ${where}: ${issue?.message ?? 'invalid'}.`,
      symbol,
      status,
    );
  }
}

type JsonBody = { ok: true; value: unknown } | { ok: false; problem: string };

/** Parses a body as JSON; the parser's own message quotes the body, so it is not passed on. */
function parseJson(text: string): JsonBody {
  if (text.trim().length === 0) return { ok: false, problem: 'an empty body' };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, problem: 'invalid or truncated JSON' };
  }
}

function isHtml(response: UpstreamResponse): boolean {
  const type = String(response.headers['content-type'] ?? '');

  return (
    type.includes('text/html') || response.body.trimStart().startsWith('<')
  );
}

/** Returns the `message` of an error body, shortened, or null when there is none. */
function errorMessage(body: string): string | null {
  const json = parseJson(body);
  if (!json.ok) return null;
  const parsed = errorBodySchema.safeParse(json.value);
  if (!parsed.success) return null;
  const { message } = parsed.data;

  return message.length > MAX_QUOTED_LENGTH
    ? `${message.slice(0, MAX_QUOTED_LENGTH)}…`
    : message;
}
