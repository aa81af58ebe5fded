import { afterEach, beforeEach, type MockInstance, vi } from 'vitest';
import { QuotesService } from '../../src/quotes/quotes.service.js';

/** Headers whose values differ from one response to the next by design. */
const PER_RESPONSE = new Set([
  'date',
  'x-request-id',
  'x-ratelimit-remaining',
  'x-ratelimit-reset',
]);

/**
 * A response read whole: status, body and headers. From readWhole the
 * headers come sorted by name, because fetch's Headers sorts them, so
 * comparing these lists checks names and values but not the order sent.
 */
export interface WholeResponse {
  status: number;
  body: string;
  headers: [string, string][];
}

export async function readWhole(response: Response): Promise<WholeResponse> {
  return {
    status: response.status,
    body: await response.text(),
    headers: [...response.headers],
  };
}

/** Returns the headers of a response without the ones that change per response. */
export function stableHeaders(headers: [string, string][]): [string, string][] {
  return headers.filter(([name]) => !PER_RESPONSE.has(name));
}

export function headerOf(
  response: WholeResponse,
  name: string,
): string | undefined {
  return new Map(response.headers).get(name);
}

/**
 * Spies on the quote service for each test of the calling file and returns
 * a function that counts its calls. The quote route's handler calls it once
 * per request, and a fast hit never does, across all apps of a test.
 */
export function countQuoteHandlerCalls(): () => number {
  let spy: MockInstance | undefined;
  beforeEach(() => {
    spy = vi.spyOn(QuotesService.prototype, 'quote');
  });
  afterEach(() => {
    spy?.mockRestore();
  });

  return () => spy?.mock.calls.length ?? 0;
}
