import { z } from 'zod';
import { queryObject, queryValue } from '../../common/validation.js';
import { INTERVALS } from '../../market/interval.js';
import { parseTimeBound } from '../../market/time-range.js';

export const HISTORY_DEFAULT_LIMIT = 5000;
export const HISTORY_MAX_LIMIT = 50_000;

const timeBound = (side: 'from' | 'to', example: string) =>
  queryValue()
    .transform((text, context) => {
      const bound = parseTimeBound(text);
      if (bound) return bound;
      context.addIssue({
        code: 'custom',
        message: `"${text}" is not a valid date or timestamp; use YYYY-MM-DD or ISO 8601 such as 2024-03-15T14:30:00Z`,
      });
      return z.NEVER;
    })
    .optional()
    .meta({
      description:
        side === 'from'
          ? 'First date (YYYY-MM-DD, a trading day in the exchange time zone) or ISO 8601 instant (UTC unless an offset is given), inclusive. Absent: the latest `limit` bars up to `to`.'
          : 'Last date or ISO 8601 instant, inclusive. Absent: now.',
      example,
    });

export const historyQuerySchema = queryObject({
  interval: queryValue()
    .pipe(
      z.enum(INTERVALS, { error: `must be one of ${INTERVALS.join(', ')}` }),
    )
    .default('1d')
    .meta({ description: 'Bar width.', example: '1d', enum: [...INTERVALS] }),
  from: timeBound('from', '2024-01-02'),
  to: timeBound('to', '2024-03-28'),
  limit: queryValue()
    .regex(/^\d+$/, {
      error: `must be an integer from 1 to ${HISTORY_MAX_LIMIT}`,
    })
    .transform(Number)
    .pipe(
      z
        .number()
        .min(1, { error: `must be an integer from 1 to ${HISTORY_MAX_LIMIT}` })
        .max(HISTORY_MAX_LIMIT, {
          error: `must be an integer from 1 to ${HISTORY_MAX_LIMIT}`,
        }),
    )
    .default(HISTORY_DEFAULT_LIMIT)
    .meta({
      description: `Maximum bars in one response, 1 to ${HISTORY_MAX_LIMIT}; \`next\` fetches the rest.`,
      example: '500',
      default: String(HISTORY_DEFAULT_LIMIT),
    }),
  adjusted: queryValue()
    .pipe(z.enum(['true', 'false'], { error: 'must be true or false' }))
    .transform((value) => value === 'true')
    .default(true)
    .meta({
      description:
        'Adjust prices for splits and dividends where the source can; the response says what the bars hold.',
      example: 'true',
      enum: ['true', 'false'],
      default: 'true',
    }),
  format: queryValue()
    .pipe(z.enum(['json', 'csv'], { error: 'must be json or csv' }))
    .default('json')
    .meta({
      description: 'Response format.',
      example: 'json',
      enum: ['json', 'csv'],
    }),
  cursor: queryValue().optional().meta({
    description:
      'The `next` value of a previous page; other parameters must stay the same.',
  }),
});

export type HistoryQueryDto = z.output<typeof historyQuerySchema>;
