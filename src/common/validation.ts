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
