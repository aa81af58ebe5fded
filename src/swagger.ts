import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  DocumentBuilder,
  type OpenAPIObject,
  type SchemaObject,
  SwaggerModule,
} from '@nestjs/swagger';
import { z } from 'zod';
import { routePolicy } from './auth/route-policy.js';
import {
  ERROR_CATALOGUE,
  problemType,
  type ErrorCode,
} from './common/error-catalogue.js';
import { problemResponse } from './quotes/dto/responses.dto.js';

/** Name of the bearer scheme in the document's security schemes. */
const BEARER = 'bearer';

/** Serves the OpenAPI document at /docs-json and Swagger UI at /docs. */
export function setUpSwagger(
  app: NestFastifyApplication,
  version: string,
): void {
  const config = new DocumentBuilder()
    .setTitle('Market Data API')
    .setDescription(
      'One normalized API over many market data sources. Every datum names its `source` and carries `asOf` and `stale`. ' +
        'Errors are RFC 9457 problem details (`application/problem+json`) with a stable `code`.',
    )
    .setVersion(version)
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description:
          'A JWT from your identity provider, or one from POST /auth/token in exchange for an API key.',
      },
      BEARER,
    )
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    // `StocksController.history` becomes `stocksHistory`.
    operationIdFactory: (controller, method) => {
      const resource = controller.replace(/Controller$/, '');
      return (
        resource.charAt(0).toLowerCase() +
        resource.slice(1) +
        method.charAt(0).toUpperCase() +
        method.slice(1)
      );
    },
  });
  document.components ??= {};
  document.components.schemas ??= {};
  document.components.schemas.Problem = componentSchema(
    problemResponse,
    'Problem',
  );
  describeCsvResponses(document);
  describeSecurity(document);

  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}

const CSV_EXAMPLE = [
  'date,open,high,low,close,volume,adjClose,complete',
  '2014-06-06,92.84,93.04,92.07,92.22,87484600,,true',
  '2014-06-09,92.7,93.88,91.75,93.7,75415000,,true',
].join('\n');

/** Gives `text/csv` responses a string schema instead of the JSON body's. */
function describeCsvResponses(document: OpenAPIObject): void {
  for (const path of Object.values(document.paths)) {
    const ok = path.get?.responses['200'];
    const content = ok && 'content' in ok ? ok.content : undefined;
    if (content?.['text/csv']) {
      content['text/csv'] = {
        schema: { type: 'string' },
        example: CSV_EXAMPLE,
      };
    }
  }
}

/**
 * Marks every operation under /api as needing a bearer token with the scope
 * its route requires, and documents the 401, 403 and 429 problem responses
 * that authentication and rate limiting add.
 */
function describeSecurity(document: OpenAPIObject): void {
  for (const [path, item] of Object.entries(document.paths)) {
    const url = path.replaceAll(/\{(\w+)\}/g, ':$1');
    const policy = routePolicy(url);
    const operations = [item.get, item.post].filter(
      (operation) => operation !== undefined,
    );
    for (const operation of operations) {
      if (policy.bucket !== 'none') {
        operation.responses['429'] = rateLimitedResponse();
      }
      if (policy.scope === null) continue;
      operation.security = [{ [BEARER]: [] }];
      operation.responses['401'] = problemResponseOf(
        ['UNAUTHORIZED', 'TOKEN_EXPIRED'],
        'Missing, invalid or expired bearer token.',
      );
      operation.responses['403'] = problemResponseOf(
        ['FORBIDDEN'],
        `The token lacks the scope ${policy.scope}.`,
      );
    }
  }
}

function problemResponseOf(codes: ErrorCode[], description: string) {
  return {
    description,
    content: {
      'application/problem+json': {
        schema: { $ref: '#/components/schemas/Problem' },
        examples: Object.fromEntries(
          codes.map((code) => [
            code,
            {
              value: {
                type: problemType(code),
                title: ERROR_CATALOGUE[code].title,
                status: ERROR_CATALOGUE[code].status,
                code,
                detail: ERROR_CATALOGUE[code].title,
                instance: '5f0c7a52-8e0b-4a51-9a07-0d9a3c1f2b6e',
              },
            },
          ]),
        ),
      },
    },
  };
}

function rateLimitedResponse() {
  return {
    ...problemResponseOf(
      ['RATE_LIMITED'],
      'Too many requests in the current window; retry after Retry-After seconds.',
    ),
    headers: {
      'Retry-After': {
        description: 'Seconds until the window resets.',
        schema: { type: 'integer' },
      },
      'X-RateLimit-Limit': {
        description: 'Requests allowed per window.',
        schema: { type: 'integer' },
      },
      'X-RateLimit-Remaining': {
        description: 'Requests left in the window.',
        schema: { type: 'integer' },
      },
      'X-RateLimit-Reset': {
        description: 'Seconds until the window resets.',
        schema: { type: 'integer' },
      },
    },
  };
}

/**
 * Converts a zod schema that carries a `meta({ id })` into an OpenAPI
 * component. Zod wraps such a schema in a reference to its own
 * `definitions`, which the document does not have, so the definition itself
 * is taken out.
 */
function componentSchema(schema: z.ZodType, id: string): SchemaObject {
  const converted = z.toJSONSchema(schema, { target: 'openapi-3.0' }) as {
    definitions?: Record<string, unknown>;
  };

  return converted.definitions?.[id] ?? converted;
}
