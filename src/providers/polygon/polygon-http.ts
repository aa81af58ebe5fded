import type { z } from 'zod';
import type {
  UpstreamError,
  UpstreamErrorCode,
} from '../upstream/upstream.errors.js';
import type { UpstreamResponse } from '../upstream/upstream-http.client.js';
import type { UpstreamContext } from '../upstream/upstream-source.js';
import { classifyFailure, isErrorBody, parseJson } from './polygon-errors.js';

type Query = Record<string, string | number | boolean | undefined>;

/**
 * GETs against the Polygon (Massive) REST API through the shared upstream
 * client. The key travels in an `Authorization: Bearer` header, never in a
 * URL, and every body is checked against its zod schema before use.
 */
export class PolygonHttp {
  constructor(private readonly context: UpstreamContext) {}

  get<T>(
    path: string,
    query: Query,
    symbol: string,
    schema: z.ZodType<T>,
  ): Promise<T> {
    const headers = this.authorization();

    return this.context.client.call({ path, query, headers, symbol }, (res) =>
      this.read(res, schema, symbol),
    );
  }

  /**
   * Follows a `next_url` from a paged response. Only its path and query are
   * used, so the request goes to the configured base URL whatever host the
   * link names, and an `apiKey` parameter in it is dropped.
   */
  follow<T>(nextUrl: string, symbol: string, schema: z.ZodType<T>): Promise<T> {
    const url = new URL(nextUrl, 'http://next.invalid');
    url.searchParams.delete('apiKey');

    return this.get(
      url.pathname,
      Object.fromEntries(url.searchParams),
      symbol,
      schema,
    );
  }

  /** Builds a classified error whose detail is scrubbed of the key. */
  error(
    code: UpstreamErrorCode,
    detail: string,
    symbol: string,
  ): UpstreamError {
    return this.context.client.error(code, detail, symbol);
  }

  private authorization(): Record<string, string> {
    const key = this.context.settings.key;

    return key ? { authorization: `Bearer ${key}` } : {};
  }

  private read<T>(
    response: UpstreamResponse,
    schema: z.ZodType<T>,
    symbol: string,
  ): T {
    const json = parseJson(response);
    if (!json.ok) {
      throw this.context.client.error(
        'UPSTREAM_MALFORMED',
        json.detail,
        symbol,
        {
          status: response.status,
        },
      );
    }
    if (response.status >= 400 || isErrorBody(json.value)) {
      throw this.failure(response.status, json.value, symbol);
    }
    const parsed = schema.safeParse(json.value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.join('.') || 'body';
      throw this.context.client.error(
        'UPSTREAM_MALFORMED',
        `polygon sent a body that does not match its schema at ${where}: ${issue?.message ?? 'invalid'}.`,
        symbol,
        { status: response.status },
      );
    }

    return parsed.data;
  }

  private failure(
    status: number,
    value: unknown,
    symbol: string,
  ): UpstreamError {
    const failure = classifyFailure(status, value, symbol);
    const error = this.context.client.error(
      failure.code,
      failure.detail,
      symbol,
      {
        status,
      },
    );
    if (failure.rejectedParameter) {
      // The adapter built a request Polygon cannot serve: a bug to fix here.
      this.context.logger.error(
        `polygon ${symbol}: ${error.code}, request rejected: ${error.detail}`,
      );
    }

    return error;
  }
}
