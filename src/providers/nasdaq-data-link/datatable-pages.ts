import type { DatatablePage } from './data-link-schemas.js';

/**
 * Most pages one history request reads. Requests ask for pages of 10,000
 * rows (`qopts.per_page`) and one ticker has at most about 14,200 daily
 * rows since 1962, so a longer chain means the cursor is not advancing.
 */
export const MAX_DATATABLE_PAGES = 10;

export interface PageOptions {
  first: () => Promise<DatatablePage>;
  /** Requests the page that `qopts.cursor_id` names. */
  next: (cursor: string) => Promise<DatatablePage>;
  /** Builds the error thrown when the chain of pages is broken. */
  fail: (detail: string) => Error;
  maxPages?: number;
}

/**
 * Reads pages by passing each `meta.next_cursor_id` back as
 * `qopts.cursor_id` until a page has none. A cursor seen before would loop
 * forever, and a chain longer than the cap may never end. Both throw the
 * error `fail` builds rather than return the pages read, which may miss a
 * part of the range.
 */
export async function collectPages(
  options: PageOptions,
): Promise<DatatablePage[]> {
  const maxPages = options.maxPages ?? MAX_DATATABLE_PAGES;
  const pages = [await options.first()];
  const seen = new Set<string>();
  let cursor = pages[0]?.meta.next_cursor_id ?? null;
  while (cursor !== null) {
    if (seen.has(cursor)) {
      throw options.fail(
        `nasdaq_data_link sent a next_cursor_id that repeats an earlier one after ${pages.length} pages, so the rows cannot be completed.`,
      );
    }
    if (pages.length >= maxPages) {
      throw options.fail(
        `nasdaq_data_link still sent a next_cursor_id after ${maxPages} pages. Request a shorter range.`,
      );
    }
    seen.add(cursor);
    const page = await options.next(cursor);
    pages.push(page);
    cursor = page.meta.next_cursor_id;
  }

  return pages;
}
