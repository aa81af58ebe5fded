import { z } from 'zod';

/**
 * The error envelope of the Nasdaq Data Link API. Older hosts and the
 * recordings name it `quandl_error`; the current Python client reads
 * `error`, so both are accepted.
 */
const errorFields = z.object({
  code: z.string(),
  message: z.string().optional(),
});

export const errorBodySchema = z.union([
  z.object({ quandl_error: errorFields }),
  z.object({ error: errorFields }),
]);

export type DataLinkErrorFields = z.infer<typeof errorFields>;

/** One cell of a table row: the API sends numbers, text, booleans or null. */
const cellSchema = z.union([z.number(), z.string(), z.boolean(), z.null()]);

export type DatatableCell = z.infer<typeof cellSchema>;

/**
 * A page of `/datatables/{vendor}/{table}.json`. Rows are arrays in the
 * order of `columns`; `meta.next_cursor_id` is null on the last page.
 */
export const datatablePageSchema = z.object({
  datatable: z.object({
    data: z.array(z.array(cellSchema)),
    columns: z.array(z.object({ name: z.string(), type: z.string() })),
  }),
  meta: z.object({ next_cursor_id: z.string().nullable() }),
});

export type DatatablePage = z.infer<typeof datatablePageSchema>;
