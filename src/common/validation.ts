import {
  type ArgumentMetadata,
  StandardSchemaValidationPipe,
} from '@nestjs/common';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { z } from 'zod';
import { InvalidParameterError } from './api.errors.js';

/**
 * Turns schema issues into one 400 that names the first bad parameter; every
 * issue is listed under `errors` in the problem body.
 */
export function invalidParameterFrom(
  issues: readonly StandardSchemaV1.Issue[],
): InvalidParameterError {
  const errors = issues.map((issue) => {
    const parameter = issue.path?.map(keyOf).join('.') || 'query';
    return { parameter, detail: `${parameter}: ${issue.message}` };
  });
  const first = errors[0] ?? {
    parameter: 'query',
    detail: 'The request is invalid.',
  };
  const error = new InvalidParameterError(first.parameter, first.detail);
  error.extra.errors = errors;

  return error;
}

function keyOf(segment: PropertyKey | StandardSchemaV1.PathSegment): string {
  return typeof segment === 'object' ? String(segment.key) : String(segment);
}

/** A single query-string value; a parameter repeated in the URL arrives as an array. */
export function queryValue() {
  return z.string({
    error: (issue) =>
      issue.input === undefined
        ? 'is required'
        : 'is given more than once; pass it once',
  });
}

/**
 * An object schema for query strings that rejects unknown parameters by name,
 * so a typo such as `intervall` gets a 400 instead of being ignored.
 */
export function queryObject<Shape extends z.ZodRawShape>(shape: Shape) {
  const allowed = Object.keys(shape);

  return z.looseObject(shape).superRefine((value, context) => {
    for (const key of Object.keys(value)) {
      if (allowed.includes(key)) continue;
      context.addIssue({
        code: 'custom',
        path: [key],
        message: `is not a parameter of this endpoint; allowed: ${allowed.join(', ') || 'none'}`,
      });
    }
  });
}

/**
 * Validates route parameters against their Standard Schema and turns issues
 * into one 400. A parameter without a schema passes at once. An empty query,
 * the common case, skips validation when its schema takes an empty object
 * as it is, which is checked once per schema.
 */
export class ApiValidationPipe extends StandardSchemaValidationPipe {
  private readonly takesEmpty = new WeakMap<StandardSchemaV1, boolean>();

  constructor() {
    super({ exceptionFactory: invalidParameterFrom });
  }

  override transform<T>(value: T, metadata: ArgumentMetadata): Promise<T> {
    const { schema } = metadata;
    if (!schema) return Promise.resolve(value);
    if (isEmptyObject(value) && this.takesEmptyAsIs(schema))
      return Promise.resolve(value);

    return super.transform(value, metadata);
  }

  private takesEmptyAsIs(schema: StandardSchemaV1): boolean {
    let known = this.takesEmpty.get(schema);
    if (known === undefined) {
      const result = schema['~standard'].validate({});
      known =
        !(result instanceof Promise) &&
        !result.issues &&
        isEmptyObject(result.value);
      this.takesEmpty.set(schema, known);
    }

    return known;
  }
}

function isEmptyObject(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  for (const key in value) if (Object.hasOwn(value, key)) return false;

  return true;
}
