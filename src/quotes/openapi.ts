import { applyDecorators } from '@nestjs/common';
import {
  ApiParam,
  ApiResponse,
  type ApiResponseCommonMetadata,
} from '@nestjs/swagger';
import {
  ERROR_CATALOGUE,
  problemType,
  type ErrorCode,
} from '../common/error-catalogue.js';

/**
 * Documents the problem responses of an endpoint, one entry per status with
 * every code that can carry it.
 */
export function ApiProblems(...codes: ErrorCode[]) {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of [...codes, 'INTERNAL_ERROR' as const]) {
    const status = ERROR_CATALOGUE[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const decorators = [...byStatus].map(([status, group]) =>
    ApiResponse({
      status,
      description: group
        .map((code) => `${code}: ${ERROR_CATALOGUE[code].title}`)
        .join('; '),
      content: {
        'application/problem+json': {
          schema: { $ref: '#/components/schemas/Problem' },
          examples: Object.fromEntries(
            group.map((code) => [code, { value: example(code) }]),
          ),
        },
      },
    }),
  );

  return applyDecorators(...decorators);
}

function example(code: ErrorCode) {
  const entry = ERROR_CATALOGUE[code];

  return {
    type: problemType(code),
    title: entry.title,
    status: entry.status,
    code,
    detail: EXAMPLE_DETAILS[code] ?? entry.title,
    instance: '5f0c7a52-8e0b-4a51-9a07-0d9a3c1f2b6e',
  };
}

const EXAMPLE_DETAILS: Partial<Record<ErrorCode, string>> = {
  INVALID_PARAMETER:
    'interval: must be one of 1m, 5m, 15m, 30m, 1h, 1d, 1wk, 1mo',
  SYMBOL_NOT_FOUND: 'Symbol ZZZZ is not known to any configured source.',
  DATA_NOT_AVAILABLE:
    'The replay files cover AAPL 1d from 2012-01-03 to 2017-12-29 only.',
  UPSTREAM_UNAVAILABLE: 'No source could serve AAPL.',
  UPSTREAM_MALFORMED:
    'No source could serve AAPL. polygon: the response did not match its schema.',
  INTERNAL_ERROR:
    'The request failed unexpectedly; quote request id 5f0c7a52-8e0b-4a51-9a07-0d9a3c1f2b6e when reporting it.',
};

/** Path parameter of symbol routes, with the spellings the parser accepts. */
export function ApiSymbolParam(
  name: string,
  examples: string[],
  description: string,
) {
  return ApiParam({
    name,
    description,
    examples: Object.fromEntries(examples.map((value) => [value, { value }])),
  });
}

/**
 * The X-Cache header of responses served through the cache, for the `headers`
 * of a documented 200 response.
 */
export const CACHE_HEADERS: ApiResponseCommonMetadata['headers'] = {
  'X-Cache': {
    description:
      'How the cache served the data: `HIT`, `MISS` (loaded from a source) or `STALE` (expired data served because every source failed).',
    schema: { type: 'string', enum: ['HIT', 'MISS', 'STALE'] },
  },
};
