import { ERROR_CATALOGUE, type ErrorCode } from './error-catalogue.js';

/** An expected failure with a stable code, rendered as problem+json by the global filter. */
export class ApiError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail);
    this.name = 'ApiError';
    this.status = ERROR_CATALOGUE[code].status;
  }
}

/** Maximum length of a string value echoed back in a problem body. */
const MAX_ECHOED_LENGTH = 100;

/** A query, path or body value that the API cannot accept; names the parameter. */
export class InvalidParameterError extends ApiError {
  constructor(
    readonly parameter: string,
    detail: string,
    readonly value?: unknown,
  ) {
    super('INVALID_PARAMETER', detail, { parameter, value: echoed(value) });
    this.name = 'InvalidParameterError';
  }
}

function echoed(value: unknown): unknown {
  if (typeof value !== 'string' || value.length <= MAX_ECHOED_LENGTH)
    return value;

  return `${value.slice(0, MAX_ECHOED_LENGTH)}…`;
}

export class SymbolNotFoundError extends ApiError {
  constructor(
    readonly symbol: string,
    detail = `Symbol ${symbol} is not known to any configured source.`,
    extra: Record<string, unknown> = {},
  ) {
    super('SYMBOL_NOT_FOUND', detail, { symbol, ...extra });
    this.name = 'SymbolNotFoundError';
  }
}

export class DataNotAvailableError extends ApiError {
  constructor(
    readonly symbol: string,
    detail: string,
    extra: Record<string, unknown> = {},
  ) {
    super('DATA_NOT_AVAILABLE', detail, { symbol, ...extra });
    this.name = 'DataNotAvailableError';
  }
}
