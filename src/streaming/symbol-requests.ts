import { ApiError } from '../common/api.errors.js';
import { parseSymbol, type Instrument } from '../market/symbol.js';
import type { RejectedSymbol, StreamErrorCode } from './stream-messages.js';
import { StreamError } from './stream.errors.js';

/** Reads the `symbols` array of a subscribe or unsubscribe payload. */
export function readSymbolList(body: unknown): unknown[] {
  const symbols = (body as { symbols?: unknown } | null)?.symbols;
  if (typeof body !== 'object' || body === null || !Array.isArray(symbols)) {
    throw new StreamError(
      'INVALID_MESSAGE',
      'expected a payload such as {"symbols": ["AAPL", "BTC-USD"]}',
    );
  }

  return symbols;
}

/** Parsed symbols of a request, deduplicated, and the entries that failed to parse. */
export function parseSymbolList(entries: readonly unknown[]): {
  instruments: Instrument[];
  rejected: RejectedSymbol[];
} {
  const instruments = new Map<string, Instrument>();
  const rejected: RejectedSymbol[] = [];
  for (const entry of entries) {
    if (typeof entry !== 'string') {
      rejected.push({
        symbol: JSON.stringify(entry) ?? String(entry),
        code: 'INVALID_PARAMETER',
        detail: 'each symbol must be a string such as AAPL',
      });
      continue;
    }
    try {
      const instrument = parseSymbol(entry, {
        allowSlash: true,
        parameter: 'symbols',
      });
      instruments.set(instrument.symbol, instrument);
    } catch (error) {
      rejected.push(rejectionOf(entry, error));
    }
  }

  return { instruments: [...instruments.values()], rejected };
}

const REJECTING_CODES = new Set<string>([
  'INVALID_PARAMETER',
  'SYMBOL_NOT_FOUND',
  'DATA_NOT_AVAILABLE',
]);

/**
 * Returns the rejection for a symbol whose quote lookup failed, or null when
 * the failure does not show the symbol to be invalid or unknown (a source
 * being down, say).
 */
export function lookupRejection(
  symbol: string,
  error: unknown,
): RejectedSymbol | null {
  if (!(error instanceof ApiError) || !REJECTING_CODES.has(error.code))
    return null;

  return rejectionOf(symbol, error);
}

function rejectionOf(symbol: string, error: unknown): RejectedSymbol {
  if (error instanceof ApiError && REJECTING_CODES.has(error.code)) {
    return {
      symbol,
      code: error.code as StreamErrorCode,
      detail: error.detail,
    };
  }

  return {
    symbol,
    code: 'INTERNAL_ERROR',
    detail: 'the symbol could not be checked',
  };
}
