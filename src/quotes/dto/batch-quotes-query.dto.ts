import { z } from 'zod';
import { queryObject, queryValue } from '../../common/validation.js';

export const MAX_BATCH_SYMBOLS = 100;

export const batchQuotesQuerySchema = queryObject({
  symbols: queryValue()
    .transform((value) =>
      value
        .split(',')
        .map((symbol) => symbol.trim())
        .filter((symbol) => symbol.length > 0),
    )
    .pipe(
      z
        .array(z.string())
        .min(1, {
          error: 'must list at least one symbol, e.g. AAPL,MSFT,BTC-USD',
        })
        .max(MAX_BATCH_SYMBOLS, {
          error: `lists more than ${MAX_BATCH_SYMBOLS} symbols; split the request`,
        }),
    )
    .meta({
      description: `Comma-separated symbols, 1 to ${MAX_BATCH_SYMBOLS}.`,
      example: 'AAPL,BRK.B,^GSPC,BTC-USD,EUR-USD',
    }),
});

export type BatchQuotesQueryDto = z.output<typeof batchQuotesQuerySchema>;
