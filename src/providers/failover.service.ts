import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { ApiError } from '../common/api.errors.js';
import { remainingBudget } from '../common/request-deadline.js';
import { ApiMetrics } from '../observability/metrics.js';
import { RepeatedErrorLog } from '../observability/repeated-errors.js';
import { UpstreamError } from './upstream/upstream.errors.js';
import { type Attempt, combineFailures, failsOver } from './failover.js';
import type {
  Capability,
  MarketDataSource,
  SourceId,
} from './market-data-source.js';
import { SourceRegistry } from './source-registry.service.js';

function deadlinePassed(symbol: string, attempts: Attempt[]): ApiError {
  const tried = attempts.map((attempt) => attempt.source).join(', ') || 'none';

  return new ApiError(
    'UPSTREAM_TIMEOUT',
    `The request deadline passed before any source answered for ${symbol} (tried: ${tried}).`,
    { symbol, attempts },
  );
}

function isTimeout(error: unknown): error is ApiError {
  return error instanceof ApiError && error.code === 'UPSTREAM_TIMEOUT';
}

/** Keeps the sources tried before the deadline passed in the 504's body. */
function withAttempts(error: ApiError, attempts: Attempt[]): ApiError {
  return new ApiError(error.code, error.detail, { ...error.extra, attempts });
}

/** A value and the source that supplied it. */
export interface Answer<T> {
  value: T;
  source: SourceId;
}

/** A value, its source, and how the sources tried before it failed. */
export interface AcceptedAnswer<T> extends Answer<T> {
  attempts: Attempt[];
}

/**
 * Asks the sources of a capability in their configured order until one
 * returns a value. Failures that fail over are counted per source and code,
 * and logged with source, symbol and code: the first of each source and code
 * at once, its repeats as one summary a minute. When none succeeds, the
 * combined error follows the error catalogue.
 */
@Injectable()
export class FailoverService implements OnApplicationShutdown {
  private readonly logger = new Logger(FailoverService.name);
  private readonly failures = new RepeatedErrorLog(this.logger);

  constructor(
    private readonly registry: SourceRegistry,
    private readonly metrics: ApiMetrics,
  ) {}

  onApplicationShutdown(): void {
    this.failures.flush();
  }

  async call<T>(
    capability: Capability,
    symbol: string,
    invoke: (source: MarketDataSource) => Promise<T>,
  ): Promise<Answer<T>> {
    const attempts: Attempt[] = [];
    for (const source of this.registry.sourcesFor(capability)) {
      if (remainingBudget() <= 0) throw deadlinePassed(symbol, attempts);
      try {
        return { value: await invoke(source), source: source.id };
      } catch (error) {
        if (isTimeout(error))
          throw withAttempts(error, [
            ...attempts,
            this.record(source.id, capability, symbol, error),
          ]);
        if (!failsOver(error)) throw error;
        attempts.push(this.record(source.id, capability, symbol, error));
      }
    }

    // TODO: serve the last cached value marked stale when every source fails.
    throw combineFailures(symbol, attempts);
  }

  /**
   * Like `call`, but goes on past a source whose answer `accept` turns down,
   * such as an empty search result. Returns the first accepted answer, else
   * the last answer any source gave; throws only when every source failed.
   */
  async callUntil<T>(
    capability: Capability,
    symbol: string,
    invoke: (source: MarketDataSource) => Promise<T>,
    accept: (value: T) => boolean,
  ): Promise<AcceptedAnswer<T>> {
    const attempts: Attempt[] = [];
    let fallback: Answer<T> | undefined;
    for (const source of this.registry.sourcesFor(capability)) {
      if (remainingBudget() <= 0) break;
      try {
        const value = await invoke(source);
        if (accept(value)) return { value, source: source.id, attempts };
        fallback = { value, source: source.id };
      } catch (error) {
        if (!failsOver(error)) throw error;
        attempts.push(this.record(source.id, capability, symbol, error));
      }
    }
    if (fallback) return { ...fallback, attempts };
    if (remainingBudget() <= 0) throw deadlinePassed(symbol, attempts);

    throw combineFailures(symbol, attempts);
  }

  private record(
    source: SourceId,
    capability: Capability,
    symbol: string,
    error: unknown,
  ): Attempt {
    this.metrics.sourceErrors.inc({
      source,
      class: error instanceof ApiError ? error.code : 'UNEXPECTED',
    });
    if (error instanceof ApiError) {
      const line = `${source} ${capability} ${symbol}: ${error.code} ${error.detail}`;
      if (error.status === 404) this.logger.debug(line);
      else this.failures.report(`${source} ${error.code}`, line);

      const retryAfterMs =
        error instanceof UpstreamError ? error.retryAfterMs : undefined;

      return { source, code: error.code, detail: error.detail, retryAfterMs };
    }

    this.logger.error(
      `${source} ${capability} ${symbol}: unexpected failure`,
      error instanceof Error ? error.stack : String(error),
    );
    return {
      source,
      code: 'UPSTREAM_UNAVAILABLE',
      detail: `${source} failed unexpectedly.`,
    };
  }
}
