import type { z } from 'zod';
import type {
  UpstreamError,
  UpstreamErrorCode,
} from '../upstream/upstream.errors.js';
import type { UpstreamResponse } from '../upstream/upstream-http.client.js';
import type { UpstreamContext } from '../upstream/upstream-source.js';
import { classifyFailure, parseJson } from './alpaca-errors.js';

type Query = Record<string, string | number | undefined>;

/**
 * GETs against Alpaca's market data API through the shared upstream
 * client. The key id and secret travel in the `APCA-API-KEY-ID` and
 * `APCA-API-SECRET-KEY` headers, never in a URL, and every body is checked
 * against its zod schema before use.
 */
export class AlpacaHttp {
  constructor(private readonly context: UpstreamContext) {}

  get<T>(
    path: string,
    query: Query,
    symbol: string,
    schema: z.ZodType<T>,
  ): Promise<T> {
    const headers = this.credentials();

    return this.context.client.call({ path, query, headers, symbol }, (res) =>
      this.read(res, schema, symbol),
    );
  }

  /** Builds a classified error whose detail is scrubbed of the credentials. */
  error(
    code: UpstreamErrorCode,
    detail: string,
    symbol: string,
  ): UpstreamError {
    return this.context.client.error(code, detail, symbol);
  }

  private credentials(): Record<string, string> {
    const { key, secret } = this.context.settings;
    const headers: Record<string, string> = {};
    if (key) headers['APCA-API-KEY-ID'] = key;
    if (secret) headers['APCA-API-SECRET-KEY'] = secret;

    return headers;
  }

  private read<T>(
    response: UpstreamResponse,
    schema: z.ZodType<T>,
    symbol: string,
  ): T {
    if (response.status >= 400) throw this.failure(response, symbol);
    const json = parseJson(response);
    if (!json.ok) {
      throw this.context.client.error(
        'UPSTREAM_MALFORMED',
        json.detail,
        symbol,
        { status: response.status },
      );
    }
    const parsed = schema.safeParse(json.value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.join('.') || 'body';
      throw this.context.client.error(
        'UPSTREAM_MALFORMED',
        `alpaca sent a body that does not match its schema at ${where}: ${issue?.message ?? 'invalid'}.`,
        symbol,
        { status: response.status },
      );
    }

    return parsed.data;
  }

  private failure(response: UpstreamResponse, symbol: string): UpstreamError {
    const failure = classifyFailure(response, symbol);
    const error = this.context.client.error(
      failure.code,
      failure.detail,
      symbol,
      { status: response.status },
    );
    if (failure.rejectedParameter) {
      // The adapter built a request Alpaca cannot serve: a bug to fix here.
      this.context.logger.error(
        `alpaca ${symbol}: ${error.code}, request rejected: ${error.detail}`,
      );
    }

    return error;
  }
}
