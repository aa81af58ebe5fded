import type { z } from 'zod';
import type {
  UpstreamError,
  UpstreamErrorCode,
} from '../upstream/upstream.errors.js';
import type { UpstreamResponse } from '../upstream/upstream-http.client.js';
import type { UpstreamContext } from '../upstream/upstream-source.js';
import {
  classifyFailure,
  errorFieldsOf,
  parseJson,
} from './nasdaq-data-link.errors.js';

type Query = Record<string, string | number | undefined>;

/**
 * GETs against the Nasdaq Data Link API (`/api/v3`) through the shared
 * upstream client. The key travels as the `api_key` query parameter, the
 * form the API documents; the client scrubs it from logs and errors. Every
 * body is checked against its zod schema before use.
 */
export class DataLinkHttp {
  constructor(private readonly context: UpstreamContext) {}

  get<T>(
    path: string,
    query: Query,
    symbol: string,
    schema: z.ZodType<T>,
  ): Promise<T> {
    const key = this.context.settings.key ?? undefined;

    return this.context.client.call(
      { path, query: { ...query, api_key: key }, symbol },
      (response) => this.read(response, schema, symbol),
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

  private read<T>(
    response: UpstreamResponse,
    schema: z.ZodType<T>,
    symbol: string,
  ): T {
    const { status } = response;
    const json = parseJson(response);
    // HTTP 410 means the dataset stopped and its data is gone, whatever the body.
    if (status === 410) {
      throw this.failure(status, json.ok ? json.value : null, symbol);
    }
    if (!json.ok) {
      throw this.context.client.error(
        'UPSTREAM_MALFORMED',
        json.detail,
        symbol,
        {
          status,
        },
      );
    }
    if (status >= 400 || errorFieldsOf(json.value)) {
      throw this.failure(status, json.value, symbol);
    }
    const parsed = schema.safeParse(json.value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.join('.') || 'body';
      throw this.context.client.error(
        'UPSTREAM_MALFORMED',
        `nasdaq_data_link sent a body that does not match its schema at ${where}: ${issue?.message ?? 'invalid'}.`,
        symbol,
        { status },
      );
    }

    return parsed.data;
  }

  private failure(
    status: number,
    value: unknown,
    symbol: string,
  ): UpstreamError {
    const failure = classifyFailure(status, errorFieldsOf(value), symbol);
    const error = this.context.client.error(
      failure.code,
      failure.detail,
      symbol,
      { status },
    );
    if (failure.rejectedRequest) {
      // The adapter built a request the API cannot serve: a bug to fix here.
      this.context.logger.error(
        `nasdaq_data_link ${symbol}: ${error.code}, request rejected: ${error.detail}`,
      );
    }

    return error;
  }
}
