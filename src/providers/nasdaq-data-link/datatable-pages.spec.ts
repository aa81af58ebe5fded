import { describe, expect, it, vi } from 'vitest';
import type { DatatablePage } from './data-link-schemas.js';
import { MAX_DATATABLE_PAGES, collectPages } from './datatable-pages.js';

const page = (cursor: string | null): DatatablePage => ({
  datatable: { data: [], columns: [] },
  meta: { next_cursor_id: cursor },
});

const fail = (detail: string) => new Error(detail);

describe('collectPages', () => {
  it('reads one page without a cursor', async () => {
    const next = vi.fn<(cursor: string) => Promise<DatatablePage>>(() =>
      Promise.resolve(page(null)),
    );
    const pages = await collectPages({
      first: () => Promise.resolve(page(null)),
      next,
      fail,
    });
    expect(pages).toHaveLength(1);
    expect(next).not.toHaveBeenCalled();
  });

  it('passes each cursor back', async () => {
    const next = vi.fn<(cursor: string) => Promise<DatatablePage>>(
      (cursor: string) => Promise.resolve(page(cursor === 'a' ? 'b' : null)),
    );
    const pages = await collectPages({
      first: () => Promise.resolve(page('a')),
      next,
      fail,
    });
    expect(pages).toHaveLength(3);
    expect(next.mock.calls.map(([cursor]) => cursor)).toEqual(['a', 'b']);
  });

  it('stops at a repeated cursor', async () => {
    const next = vi.fn<(cursor: string) => Promise<DatatablePage>>(() =>
      Promise.resolve(page('a')),
    );
    const reading = collectPages({
      first: () => Promise.resolve(page('a')),
      next,
      fail,
    });
    await expect(reading).rejects.toThrow('repeats an earlier one');
    expect(next).toHaveBeenCalledTimes(1);
  });

  it('caps an endless chain', async () => {
    let count = 0;
    const next = vi.fn<(cursor: string) => Promise<DatatablePage>>(() => {
      count += 1;
      return Promise.resolve(page(`c${count}`));
    });
    const reading = collectPages({
      first: () => Promise.resolve(page('c0')),
      next,
      fail,
    });
    await expect(reading).rejects.toThrow(`after ${MAX_DATATABLE_PAGES} pages`);
    expect(next).toHaveBeenCalledTimes(MAX_DATATABLE_PAGES - 1);
  });
});
