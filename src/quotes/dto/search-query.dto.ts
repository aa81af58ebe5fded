import { z } from 'zod';
import { queryObject, queryValue } from '../../common/validation.js';

export const MAX_SEARCH_RESULTS = 100;

export const searchQuerySchema = queryObject({
  query: queryValue()
    .trim()
    .min(1, {
      error: 'must not be empty; pass part of a symbol or name, e.g. query=app',
    })
    .max(64, { error: 'must be at most 64 characters' })
    .meta({
      description: 'Part of a symbol or instrument name.',
      example: 'app',
    }),
  limit: queryValue()
    .regex(/^\d+$/, {
      error: `must be an integer from 1 to ${MAX_SEARCH_RESULTS}`,
    })
    .transform(Number)
    .pipe(
      z
        .number()
        .min(1, { error: `must be an integer from 1 to ${MAX_SEARCH_RESULTS}` })
        .max(MAX_SEARCH_RESULTS, {
          error: `must be an integer from 1 to ${MAX_SEARCH_RESULTS}`,
        }),
    )
    .default(10)
    .meta({
      description: `Most matches returned, 1 to ${MAX_SEARCH_RESULTS}.`,
      example: '10',
    }),
});

export type SearchQueryDto = z.output<typeof searchQuerySchema>;

/** Endpoints without query parameters still reject unknown ones by name. */
export const noQuerySchema = queryObject({});
