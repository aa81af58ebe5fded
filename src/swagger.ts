import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  DocumentBuilder,
  type OpenAPIObject,
  type SchemaObject,
  SwaggerModule,
} from '@nestjs/swagger';
import { z } from 'zod';
import { problemResponse } from './quotes/dto/responses.dto.js';

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
