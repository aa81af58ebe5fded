import { setTimeout as sleep } from 'node:timers/promises';
import { remainingBudget } from '../../common/request-deadline.js';
import { UpstreamError } from '../upstream/upstream.errors.js';
import type { CandleSpan } from './coinbase-candle-plan.js';
import {
  readCandleRows,
  uniqueCandles,
  type Candle,
  type DroppedRows,
} from './coinbase-candles.js';

/**
 * Maximum candle requests per history request: 15,000 candles, which take
 * at least five seconds at Coinbase's public limit of 10 requests a second.
 */
export const MAX_CANDLE_PAGES = 50;

/** Maximum wait for the quota between pages: one per-second window. */
const MAX_QUOTA_WAIT_MS = 1000;
/** Time a wait must leave free in the request's budget, in milliseconds. */
const QUOTA_WAIT_MARGIN_MS = 250;
/** Maximum quota waits before one page; each lasts at most a second. */
const MAX_QUOTA_WAITS_PER_PAGE = 5;

export interface PageOptions {
  pages: Iterable<CandleSpan>;
  /** Fetches the rows of one page. */
  fetch: (page: CandleSpan) => Promise<(readonly unknown[])[]>;
  /** Tells whether the candles read so far are enough, so later pages are skipped. */
  enough: (candles: readonly Candle[]) => boolean;
  /**
   * True to stop at the first page without rows. Going back in daily
   * candles, an empty page of 300 days lies before the product was listed.
   */
  stopWhenEmpty: boolean;
  /** Builds the error thrown when the pages needed exceed the cap. */
  tooMany: (maxPages: number) => Error;
  maxPages?: number;
}

/** Candles of every page read, ascending and unique, with the rows left out. */
export interface CollectedCandles {
  candles: Candle[];
  dropped: DroppedRows;
  pages: number;
}

/**
 * Reads candle pages in order until the pages run out, the candles are
 * enough, or (when asked) a page comes back empty. Needing more pages
 * than the cap throws rather than returning a part of the range, because
 * serving a part would hide the rest from the caller.
 */
export async function collectCandles(
  options: PageOptions,
): Promise<CollectedCandles> {
  const maxPages = options.maxPages ?? MAX_CANDLE_PAGES;
  let candles: Candle[] = [];
  const dropped: DroppedRows = { bad: 0, duplicate: 0, outside: 0 };
  let pages = 0;
  for (const page of options.pages) {
    if (pages >= maxPages) throw options.tooMany(maxPages);
    const rows =
      pages === 0
        ? await options.fetch(page)
        : await waitingForQuota(() => options.fetch(page));
    pages += 1;
    const read = readCandleRows(rows, page);
    dropped.bad += read.bad;
    dropped.outside += read.outside;
    const unique = uniqueCandles([...candles, ...read.candles]);
    dropped.duplicate += unique.duplicate;
    candles = unique.candles;
    if (options.stopWhenEmpty && rows.length === 0) break;
    if (options.enough(candles)) break;
  }

  return { candles, dropped, pages };
}

/**
 * Runs a page call, waiting out a used-up per-second quota when the
 * request's deadline leaves time. Only pages after the first wait: a first
 * call that finds the quota used up fails over to the next source at once,
 * but a later one would waste the pages already read.
 */
async function waitingForQuota<T>(call: () => Promise<T>): Promise<T> {
  for (let waits = 0; ; waits += 1) {
    try {
      return await call();
    } catch (error) {
      const waitMs = quotaWait(error);
      if (waitMs === null || waits >= MAX_QUOTA_WAITS_PER_PAGE) throw error;
      await sleep(waitMs);
    }
  }
}

function quotaWait(error: unknown): number | null {
  if (!(error instanceof UpstreamError) || error.code !== 'QUOTA_EXHAUSTED') {
    return null;
  }
  const waitMs = error.retryAfterMs;
  if (waitMs === undefined || waitMs > MAX_QUOTA_WAIT_MS) return null;

  return waitMs + QUOTA_WAIT_MARGIN_MS < remainingBudget() ? waitMs : null;
}
