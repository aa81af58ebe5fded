import { Logger } from '@nestjs/common';
import {
  BrokenCircuitError,
  circuitBreaker,
  ConsecutiveBreaker,
  ExponentialBackoff,
  handleWhen,
  retry,
  wrap,
  type IPolicy,
} from 'cockatiel';
import { Agent, request } from 'undici';
import { remainingBudget } from '../../common/request-deadline.js';
import { parseRetryAfter } from './retry-after.js';
import { scrubSecrets } from '../../common/secrets.js';
import type { SourceQuota } from './source-quota.js';
import { UpstreamError, type UpstreamErrorCode } from './upstream.errors.js';

/** One GET to an upstream source. */
export interface UpstreamRequest {
  /** Path below the base URL, e.g. `/query` or `/v2/aggs/ticker/AAPL/prev`. */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  headers?: Record<string, string>;
  /** Canonical symbol the call is for, named in logs and errors. */
  symbol: string;
  /**
   * Origin to call instead of the source's base URL, for a source that
   * takes part of its handshake from another host (Yahoo's consent cookie).
   */
  baseUrl?: string;
  /** True for a call that does not count against the source's quota. */
  skipQuota?: boolean;
}

/** A response with its body read as text. */
export interface UpstreamResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface UpstreamClientOptions {
  source: string;
  baseUrl: string;
  /** Values that must never appear in logs or errors: keys, tokens, cookies. */
  secrets: string[];
  /** Limit of one attempt, in milliseconds. */
  timeoutMs: number;
  /** Attempts after the first on a 5xx or network failure. */
  retries: number;
  breakerFailures: number;
  breakerCooldownMs: number;
  quota?: SourceQuota;
  /** Largest body read, in bytes; a larger one is a malformed response. */
  maxBodyBytes?: number;
  /** Observer of each call's outcome and time, and of each retry, for metrics. */
  observer?: UpstreamCallObserver;
}

/** Receives the outcome and duration of upstream HTTP calls, for metrics. */
export interface UpstreamCallObserver {
  /**
   * One HTTP call: `outcome` is the status class (`2xx`, `4xx`, `5xx`...),
   * `timeout` or `network`; `seconds` includes reading the body.
   */
  recordUpstreamCall(source: string, outcome: string, seconds: number): void;
  recordUpstreamRetry(source: string): void;
}

/** Health figures of one source for status pages. */
export interface ClientHealth {
  circuit: 'closed' | 'open' | 'half-open' | 'isolated';
  lastSuccessAt: string | null;
  lastFailureAt: string | null;
  lastFailure: string | null;
}

const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;
/** Classes that count against the circuit: the source itself is failing. */
const BREAKER_FAILURES: ReadonlySet<UpstreamErrorCode> = new Set([
  'UPSTREAM_UNAVAILABLE',
  'UPSTREAM_MALFORMED',
]);
/** Time a retry must leave free in the request's budget, in milliseconds. */
const RETRY_MARGIN_MS = 250;

/**
 * The HTTP client every upstream adapter uses: keep-alive pooling (undici),
 * a timeout per attempt capped by the client request's deadline, retries with
 * exponential backoff and jitter on 5xx and network failures, a circuit
 * breaker (cockatiel) and the source's quota. A 429 is retried once when its
 * Retry-After fits inside the deadline; otherwise it fails over at once.
 */
export class UpstreamHttpClient {
  private readonly logger: Logger;
  private readonly agent = new Agent({
    keepAliveTimeout: 10_000,
    connections: 16,
  });
  private readonly policy: IPolicy;
  private readonly breaker;
  private health: Omit<ClientHealth, 'circuit'> = {
    lastSuccessAt: null,
    lastFailureAt: null,
    lastFailure: null,
  };

  constructor(private readonly options: UpstreamClientOptions) {
    this.logger = new Logger(`Upstream:${options.source}`);
    this.breaker = circuitBreaker(
      handleWhen(
        (error) =>
          error instanceof UpstreamError &&
          BREAKER_FAILURES.has(error.code as UpstreamErrorCode),
      ),
      {
        halfOpenAfter: options.breakerCooldownMs,
        breaker: new ConsecutiveBreaker(options.breakerFailures),
      },
    );
    const retries = retry(
      handleWhen((error) => this.isRetryable(error)),
      {
        maxAttempts: options.retries,
        backoff: new ExponentialBackoff({ initialDelay: 100, maxDelay: 2000 }),
      },
    );
    retries.onRetry(({ delay }) => {
      options.observer?.recordUpstreamRetry(options.source);
      this.logger.warn(`retrying in ${Math.round(delay)} ms`);
    });
    this.policy = wrap(retries, this.breaker);
  }

  get source(): string {
    return this.options.source;
  }

  /**
   * Sends a GET and hands the response to `parse`, which turns it into data
   * or throws an UpstreamError. Both run under the quota, retries and the
   * circuit breaker, so a source that keeps sending garbage opens it too.
   */
  async call<T>(
    upstream: UpstreamRequest,
    parse: (response: UpstreamResponse) => T,
  ): Promise<T> {
    let previous: UpstreamError | undefined;
    try {
      const value = await this.policy.execute(async () => {
        try {
          return await this.attempt(upstream, parse);
        } catch (error) {
          const ending = this.unlessQuotaEndsRetry(error, previous);
          if (error instanceof UpstreamError) previous = ending;
          throw ending ?? error;
        }
      });
      this.health = { ...this.health, lastSuccessAt: new Date().toISOString() };

      return value;
    } catch (error) {
      const classified = this.classify(error, upstream.symbol);
      // A call the open circuit skipped did not fail: keep the real cause.
      if (!(error instanceof BrokenCircuitError)) {
        this.health = {
          ...this.health,
          lastFailureAt: new Date().toISOString(),
          lastFailure: `${classified.code}: ${classified.detail}`,
        };
      }
      throw classified;
    }
  }

  /**
   * Returns the error an attempt should end with. A retry stopped by the
   * quota ends with the failure that caused the retry, not with
   * QUOTA_EXHAUSTED, so a source's 5xx is not reported as a used-up budget.
   */
  private unlessQuotaEndsRetry(
    error: unknown,
    previous: UpstreamError | undefined,
  ): UpstreamError | undefined {
    if (!(error instanceof UpstreamError)) return undefined;
    if (error.code !== 'QUOTA_EXHAUSTED' || !previous) return error;

    return new UpstreamError(
      previous.code as UpstreamErrorCode,
      previous.source,
      `${previous.detail} A retry was skipped: ${error.detail}`,
      { symbol: upstreamSymbol(previous), status: previous.upstreamStatus },
    );
  }

  /** Returns the circuit state and the times of the last success and failure. */
  state(): ClientHealth {
    const states = ['closed', 'open', 'half-open', 'isolated'] as const;

    return { circuit: states[this.breaker.state] ?? 'closed', ...this.health };
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  private async attempt<T>(
    upstream: UpstreamRequest,
    parse: (response: UpstreamResponse) => T,
  ): Promise<T> {
    let response = await this.send(upstream);
    const waitMs =
      response.status === 429 ? this.rateLimitWait(response) : undefined;
    if (waitMs !== undefined) {
      this.options.observer?.recordUpstreamRetry(this.source);
      this.logger.warn(
        `${upstream.symbol}: rate limited, retrying after ${waitMs} ms`,
      );
      await new Promise((resolve) => setTimeout(resolve, waitMs));
      response = await this.send(upstream);
    }
    if (response.status === 429) {
      throw this.error(
        'UPSTREAM_RATE_LIMITED',
        `${this.source} rate limited the request (HTTP 429).`,
        upstream.symbol,
        {
          retryAfterMs: parseRetryAfter(
            response.headers['retry-after'],
            Date.now(),
          ),
          status: 429,
        },
      );
    }
    if (response.status >= 500) {
      throw this.error(
        'UPSTREAM_UNAVAILABLE',
        `${this.source} answered HTTP ${response.status}.`,
        upstream.symbol,
        { status: response.status, retryable: true },
      );
    }

    return parse(response);
  }

  /** Returns how long to wait on a 429, or undefined when the wait does not fit the deadline. */
  private rateLimitWait(response: UpstreamResponse): number | undefined {
    const waitMs = parseRetryAfter(response.headers['retry-after'], Date.now());
    if (waitMs === undefined) return undefined;
    const fits =
      waitMs + RETRY_MARGIN_MS < remainingBudget() - this.options.timeoutMs;

    return fits ? waitMs : undefined;
  }

  private async send(upstream: UpstreamRequest): Promise<UpstreamResponse> {
    const budget = remainingBudget();
    if (budget <= 0) {
      throw this.error(
        'UPSTREAM_TIMEOUT',
        'The request deadline passed before the source was called.',
        upstream.symbol,
      );
    }
    if (!upstream.skipQuota) {
      await this.options.quota?.consume(this.source, upstream.symbol);
    }
    const url = this.url(upstream);
    const timeoutMs = Math.min(this.options.timeoutMs, budget);
    const deadlineBound = budget <= this.options.timeoutMs;
    const started = performance.now();
    try {
      const response = await request(url, {
        method: 'GET',
        headers: { accept: 'application/json', ...upstream.headers },
        dispatcher: this.agent,
        signal: AbortSignal.timeout(timeoutMs),
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      const body = await readBody(
        response.body,
        this.options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
      );

      this.observe(`${Math.floor(response.statusCode / 100)}xx`, started);

      return { status: response.statusCode, headers: response.headers, body };
    } catch (error) {
      this.observe(isTimeout(error) ? 'timeout' : 'network', started);
      throw this.networkError(error, upstream.symbol, timeoutMs, deadlineBound);
    }
  }

  private observe(outcome: string, started: number): void {
    const seconds = (performance.now() - started) / 1000;
    this.options.observer?.recordUpstreamCall(this.source, outcome, seconds);
  }

  private url(upstream: UpstreamRequest): string {
    const url = new URL(
      (upstream.baseUrl ?? this.options.baseUrl) + upstream.path,
    );
    for (const [name, value] of Object.entries(upstream.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }

    return url.toString();
  }

  /**
   * Classifies a failed send. A timeout of one attempt counts as unavailable,
   * so it fails over. A timeout cut short by the client request's deadline
   * means the deadline passed, which ends the request with 504.
   */
  private networkError(
    error: unknown,
    symbol: string,
    timeoutMs: number,
    deadlineBound: boolean,
  ): UpstreamError {
    if (error instanceof UpstreamError) return error;
    if (isTimeout(error)) {
      return deadlineBound
        ? this.error(
            'UPSTREAM_TIMEOUT',
            `The request deadline passed while waiting for ${this.source}.`,
            symbol,
          )
        : this.error(
            'UPSTREAM_UNAVAILABLE',
            `${this.source} did not answer within ${timeoutMs} ms.`,
            symbol,
            { retryable: true },
          );
    }
    const code = (error as { code?: string } | null)?.code ?? '';
    if (code === 'BODY_TOO_LARGE') {
      return this.error(
        'UPSTREAM_MALFORMED',
        `${this.source} sent a body larger than the limit.`,
        symbol,
      );
    }
    const reason = error instanceof Error ? error.message : String(error);

    return this.error(
      'UPSTREAM_UNAVAILABLE',
      `${this.source} could not be reached: ${reason}.`,
      symbol,
      { retryable: true },
    );
  }

  private isRetryable(error: unknown): boolean {
    if (!(error instanceof UpstreamError) || !error.retryable) return false;

    return remainingBudget() > this.options.timeoutMs + RETRY_MARGIN_MS;
  }

  private classify(error: unknown, symbol: string): UpstreamError {
    if (error instanceof UpstreamError) return error;
    if (error instanceof BrokenCircuitError) {
      return this.error(
        'UPSTREAM_UNAVAILABLE',
        `${this.source} is skipped for up to ${Math.round(this.options.breakerCooldownMs / 1000)} s after repeated failures (circuit open).`,
        symbol,
      );
    }
    const reason = error instanceof Error ? error.message : String(error);
    this.logger.error(`${symbol}: unexpected failure: ${this.scrub(reason)}`);

    return this.error(
      'UPSTREAM_UNAVAILABLE',
      `${this.source} failed unexpectedly.`,
      symbol,
    );
  }

  /** Builds a classified error with every secret scrubbed from its detail. */
  error(
    code: UpstreamErrorCode,
    detail: string,
    symbol: string,
    options: {
      retryAfterMs?: number;
      status?: number;
      retryable?: boolean;
    } = {},
  ): UpstreamError {
    return new UpstreamError(code, this.source, this.scrub(detail), {
      symbol,
      ...options,
    });
  }

  private scrub(text: string): string {
    return scrubSecrets(text, this.options.secrets);
  }
}

function upstreamSymbol(error: UpstreamError): string | undefined {
  const symbol = error.extra.symbol;

  return typeof symbol === 'string' ? symbol : undefined;
}

function isTimeout(error: unknown): boolean {
  const name = error instanceof Error ? error.name : '';
  const code = (error as { code?: string } | null)?.code ?? '';
  const cause = error instanceof Error ? error.cause : undefined;

  return (
    name === 'TimeoutError' ||
    name === 'AbortError' ||
    code === 'UND_ERR_HEADERS_TIMEOUT' ||
    code === 'UND_ERR_BODY_TIMEOUT' ||
    (cause instanceof Error && cause.name === 'TimeoutError')
  );
}

/** Reads a body as UTF-8 text, failing once it passes `limit` bytes. */
async function readBody(
  body: AsyncIterable<Buffer>,
  limit: number,
): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > limit)
      throw Object.assign(new Error('body too large'), {
        code: 'BODY_TOO_LARGE',
      });
    chunks.push(chunk);
  }

  return Buffer.concat(chunks).toString('utf8');
}
