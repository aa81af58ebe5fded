import { z } from 'zod';

/**
 * Field builders for settings. Every raw value arrives as a string (from the
 * environment, `.env` or YAML); each builder parses it and, when it cannot,
 * reports what is allowed in words an operator can act on.
 */

export function integer(min: number, max: number, unit = '') {
  const suffix = unit ? ` (${unit})` : '';
  const allowed = `an integer from ${min} to ${max}${suffix}`;

  return z
    .string()
    .trim()
    .regex(/^-?\d+$/, { error: `expected ${allowed}` })
    .transform(Number)
    .pipe(
      z
        .number()
        .min(min, { error: `expected ${allowed}` })
        .max(max, { error: `expected ${allowed}` }),
    );
}

export function decimal(min: number, max: number, unit = '') {
  const suffix = unit ? ` (${unit})` : '';
  const allowed = `a number from ${min} to ${max}${suffix}`;

  return z
    .string()
    .trim()
    .regex(/^-?\d+(\.\d+)?$/, { error: `expected ${allowed}` })
    .transform(Number)
    .pipe(
      z
        .number()
        .min(min, { error: `expected ${allowed}` })
        .max(max, { error: `expected ${allowed}` }),
    );
}

export function oneOf<const T extends readonly [string, ...string[]]>(
  values: T,
) {
  return z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(values, { error: `expected one of ${values.join(', ')}` }));
}

export function boolean() {
  const allowed = 'expected true or false';

  return z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no'], { error: allowed }))
    .transform((value) => ['true', '1', 'yes'].includes(value));
}

/** A host name or IP address to bind to. */
export function host() {
  return z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9.:_-]+$/, {
      error: 'expected a host name or IP address such as 127.0.0.1 or 0.0.0.0',
    });
}

/** A comma-separated list; empty entries are dropped. */
export function list<T extends string>(
  item: z.ZodType<T, string>,
  example: string,
) {
  return z
    .string()
    .transform((value) =>
      value
        .split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry.length > 0),
    )
    .pipe(
      z.array(item, {
        error: `expected a comma-separated list such as ${example}`,
      }),
    );
}

export function text() {
  return z.string().trim().min(1, { error: 'expected a non-empty value' });
}
