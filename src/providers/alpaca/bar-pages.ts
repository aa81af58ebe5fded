import type { AlpacaBar } from './alpaca-schemas.js';

/**
 * Maximum pages one history request reads. Ten pages of 10,000 bars are
 * twice the maximum a history query requests: 50,001 bars, which are the
 * largest page of this API and one bar that shows whether the range
 * continues.
 */
export const MAX_BAR_PAGES = 10;

/** The rows of one page and the token of the next, null on the last page. */
export interface BarPage {
  rows: AlpacaBar[];
  nextPageToken: string | null;
}

export interface PageOptions {
  fetch: (pageToken: string | undefined) => Promise<BarPage>;
  /** Tells whether the rows so far are enough, so later pages are skipped. */
  enough: (rows: readonly AlpacaBar[]) => boolean;
  /** Builds the error thrown when the chain of pages is broken. */
  fail: (detail: string) => Error;
  maxPages?: number;
}

/**
 * Reads pages by sending each `next_page_token` back as `page_token` until
 * a page has none or the rows are enough. A token seen before would loop
 * forever, and a chain past the page cap may never end. Both throw the
 * error `fail` builds rather than return the rows so far, because those
 * could miss part of the range and serving them would hide the gap.
 */
export async function collectBarPages(
  options: PageOptions,
): Promise<AlpacaBar[]> {
  const maxPages = options.maxPages ?? MAX_BAR_PAGES;
  let page = await options.fetch(undefined);
  const rows = [...page.rows];
  const tokens = new Set<string>();
  let pages = 1;
  while (page.nextPageToken && !options.enough(rows)) {
    const token = page.nextPageToken;
    if (tokens.has(token)) {
      throw options.fail(
        `alpaca sent a next_page_token that repeats an earlier one after ${pages} pages, so the series cannot be completed.`,
      );
    }
    if (pages >= maxPages) {
      throw options.fail(
        `alpaca still sent a next_page_token after ${maxPages} pages. Request a shorter range.`,
      );
    }
    tokens.add(token);
    page = await options.fetch(token);
    pages += 1;
    rows.push(...page.rows);
  }

  return rows;
}
