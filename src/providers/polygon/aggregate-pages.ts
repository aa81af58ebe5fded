import type { AggregateRow, AggregatesBody } from './polygon-schemas.js';

/** Most pages one history request reads before giving up on a `next_url` chain. */
export const MAX_AGGREGATE_PAGES = 50;

export interface PageOptions {
  first: () => Promise<AggregatesBody>;
  next: (nextUrl: string) => Promise<AggregatesBody>;
  /** Tells whether the rows so far are enough, so later pages are skipped. */
  enough: (rows: readonly AggregateRow[]) => boolean;
  /** Builds the error thrown when the chain of pages is broken. */
  fail: (detail: string) => Error;
  maxPages?: number;
}

/** Rows of every page read, with the page count and the first page's `adjusted` flag. */
export interface CollectedPages {
  rows: AggregateRow[];
  adjusted: boolean | undefined;
  pages: number;
}

/**
 * Reads aggregate pages by following `next_url` until a page has none or
 * the rows are enough. A `next_url` whose cursor was seen before would loop
 * forever, and a chain longer than the page cap may never end. Both throw
 * the error `fail` builds rather than return the rows read so far, because
 * those may miss a part of the range and serving them would hide the gap.
 */
export async function collectAggregatePages(
  options: PageOptions,
): Promise<CollectedPages> {
  const maxPages = options.maxPages ?? MAX_AGGREGATE_PAGES;
  const firstPage = await options.first();
  const rows = [...(firstPage.results ?? [])];
  const cursors = new Set<string>();
  let page = firstPage;
  let pages = 1;
  while (page.next_url && !options.enough(rows)) {
    const cursor = cursorOf(page.next_url);
    if (cursors.has(cursor)) {
      throw options.fail(
        `polygon sent a next_url that repeats an earlier cursor after ${pages} pages, so the series cannot be completed.`,
      );
    }
    if (pages >= maxPages) {
      throw options.fail(
        `polygon still sent a next_url after ${maxPages} pages. Request a shorter range.`,
      );
    }
    cursors.add(cursor);
    page = await options.next(page.next_url);
    pages += 1;
    rows.push(...(page.results ?? []));
  }

  return { rows, adjusted: firstPage.adjusted, pages };
}

/** Returns the `cursor` parameter of a `next_url`, or its path and query without one. */
function cursorOf(nextUrl: string): string {
  const url = new URL(nextUrl, 'http://next.invalid');
  url.searchParams.delete('apiKey');

  return (
    url.searchParams.get('cursor') ??
    `${url.pathname}?${url.searchParams.toString()}`
  );
}
