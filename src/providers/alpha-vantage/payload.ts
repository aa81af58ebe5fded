import type { z } from 'zod';
import type {
  UpstreamHttpClient,
  UpstreamResponse,
} from '../upstream/upstream-http.client.js';
import type { UpstreamError } from '../upstream/upstream.errors.js';
import { classifyNotice, findNotice } from './alpha-vantage.errors.js';

/** Maximum length of an unexpected body quoted in an error detail, in characters. */
const MAX_QUOTED = 200;

/**
 * Reads an Alpha Vantage response into a payload that passed `schema`.
 * Notices under `Note`, `Information` or `Error Message` become classified
 * errors before any schema runs, so a rate-limit text is never read as
 * data. A body that is not JSON, or fails the schema, is malformed.
 */
export function readPayload<Schema extends z.ZodType>(
  response: UpstreamResponse,
  schema: Schema,
  client: UpstreamHttpClient,
  symbol: string | null,
): z.output<Schema> {
  const body = parseJson(response, client, symbol);
  const notice = findNotice(body);
  const subject = symbol ?? '';
  if (notice) {
    const { code, retryAfterMs } = classifyNotice(notice, symbol !== null);
    throw client.error(
      code,
      `Alpha Vantage answered with a notice under "${notice.key}": ${notice.text}`,
      subject,
      { status: response.status, retryAfterMs },
    );
  }
  if (response.status >= 400) throw statusError(response, client, subject);
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') || 'the body';
    throw client.error(
      'UPSTREAM_MALFORMED',
      `Alpha Vantage sent a payload that does not match its schema at ${where}: ${issue?.message ?? 'invalid'}.`,
      subject,
      { status: response.status },
    );
  }

  return parsed.data;
}

function parseJson(
  response: UpstreamResponse,
  client: UpstreamHttpClient,
  symbol: string | null,
): unknown {
  try {
    return JSON.parse(response.body) as unknown;
  } catch {
    if (response.status >= 400) {
      throw statusError(response, client, symbol ?? '');
    }
    const type = headerText(response.headers['content-type']) || 'no type';
    throw client.error(
      'UPSTREAM_MALFORMED',
      `Alpha Vantage sent a body that is not valid JSON (${type}, ${response.body.length} characters).`,
      symbol ?? '',
      { status: response.status },
    );
  }
}

/** Classifies a 4xx that carried no notice; 5xx never reach a parser. */
function statusError(
  response: UpstreamResponse,
  client: UpstreamHttpClient,
  symbol: string,
): UpstreamError {
  const rejected = response.status === 401 || response.status === 403;

  return client.error(
    rejected ? 'UPSTREAM_UNAUTHORIZED' : 'UPSTREAM_UNAVAILABLE',
    `Alpha Vantage answered HTTP ${response.status}: ${quote(response.body)}`,
    symbol,
    { status: response.status },
  );
}

function headerText(value: string | string[] | undefined): string {
  return Array.isArray(value) ? value.join(', ') : (value ?? '');
}

function quote(body: string): string {
  const flat = body.replace(/\s+/g, ' ').trim();

  return flat.length > MAX_QUOTED ? `${flat.slice(0, MAX_QUOTED)}…` : flat;
}
