import { isIP } from 'node:net';
import { z } from 'zod';
import { ApiError } from '../common/api.errors.js';
import { parseSymbol } from '../market/symbol.js';

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
  const allowed = 'expected true or false (yes/no and 1/0 are also accepted)';

  return z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no'], { error: allowed }))
    .transform((value) => ['true', '1', 'yes'].includes(value));
}

/**
 * Builds a field for a host name or IP address to bind to. A name's last
 * label must start with a letter, so a mistyped address such as 999.1.1.1
 * is not taken for a name.
 */
export function host() {
  const name =
    /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

  return z
    .string()
    .trim()
    .refine((value) => isIP(value) !== 0 || name.test(value), {
      error:
        'expected a host name or IP address such as 127.0.0.1, 0.0.0.0 or localhost',
    });
}

/** Builds a comma-separated list field; empty entries are dropped. */
export function list<T>(item: z.ZodType<T, string>, example: string) {
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

/** Builds a symbol field: any spelling the API accepts, stored in canonical form. */
export function symbol() {
  return z.string().transform((value, context) => {
    try {
      return parseSymbol(value, { allowSlash: true }).symbol;
    } catch (error) {
      context.addIssue({
        code: 'custom',
        message:
          error instanceof ApiError
            ? error.detail.replace(/^symbol /, '')
            : 'expected a symbol such as AAPL',
      });
      return z.NEVER;
    }
  });
}

/** Builds an http or https URL field, stored without a trailing slash. */
export function httpUrl() {
  return z
    .string()
    .trim()
    .refine(
      (value) => {
        try {
          const url = new URL(value);
          return url.protocol === 'http:' || url.protocol === 'https:';
        } catch {
          return false;
        }
      },
      {
        error: 'expected an http or https URL such as https://api.example.com',
      },
    )
    .transform((value) => value.replace(/\/+$/, ''));
}

/** Builds a redis:// or rediss:// URL field with a host and, if given, a valid port. */
export function redisUrl() {
  return z
    .string()
    .trim()
    .refine(
      (value) => {
        try {
          const url = new URL(value);
          const port = url.port === '' ? 6379 : Number(url.port);
          return (
            /^rediss?:$/.test(url.protocol) &&
            url.hostname !== '' &&
            port > 0 &&
            port < 65_536
          );
        } catch {
          return false;
        }
      },
      {
        error:
          'expected a redis:// or rediss:// URL with a host, such as redis://127.0.0.1:6379',
      },
    );
}

/** Builds a ws:// or wss:// URL field, stored without a trailing slash. */
export function wsUrl() {
  return z
    .string()
    .trim()
    .refine(
      (value) => {
        try {
          const url = new URL(value);
          return url.protocol === 'ws:' || url.protocol === 'wss:';
        } catch {
          return false;
        }
      },
      {
        error:
          'expected a ws:// or wss:// URL such as wss://stream.example.com',
      },
    )
    .transform((value) => value.replace(/\/+$/, ''));
}

/**
 * Builds a field for one trusted proxy: an IPv4 or IPv6 address, or a CIDR
 * range such as 10.0.0.0/8.
 */
export function proxyAddress() {
  return z
    .string()
    .trim()
    .refine(
      (value) => {
        const [address = '', bits, extra] = value.split('/');
        const family = isIP(address);
        if (family === 0 || extra !== undefined) return false;
        if (bits === undefined) return true;
        const max = family === 4 ? 32 : 128;
        return /^\d{1,3}$/.test(bits) && Number(bits) <= max;
      },
      {
        error:
          'expected IP addresses or CIDR ranges such as 10.0.0.0/8 or 127.0.0.1',
      },
    );
}

/** Builds a rate-limit tier field: `name:requests`, requests per RATE_LIMIT_WINDOW. */
export function rateLimitTier() {
  return z
    .string()
    .trim()
    .regex(/^[\w.-]{1,40}:\d{1,9}$/, {
      error: 'expected tiers as name:requests, such as free:100,pro:10000',
    })
    .transform((value) => {
      const [name = '', requests = '0'] = value.split(':');
      return { name, requests: Number(requests) };
    });
}
