import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { redactUrlCredentials } from '../common/secrets.js';
import type { Capability, SourceId } from '../providers/market-data-source.js';
import { SETTINGS, settingsSchema, type SettingName } from './config.schema.js';
import { AppConfig } from './app-config.js';

export interface LoadOptions {
  /** Environment variables; `process.env` when absent. */
  env?: Record<string, string | undefined>;
  /** Folder holding `.env` and `config/`; the working directory when absent. */
  cwd?: string;
}

/** Raised when settings are invalid; the message lists every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

interface RawValue {
  value: string;
  origin: string;
}

/**
 * Settings that turn a check on. Set to an empty value in the environment,
 * they are an error rather than unset, so that a secret missing from a
 * deployment never turns authentication off without a word.
 */
const NON_EMPTY_IN_ENVIRONMENT: ReadonlySet<string> = new Set([
  'JWT_SECRET',
  'JWT_PUBLIC_KEY',
  'JWT_JWKS_URL',
  'API_KEYS_FILE',
]);

const NAMES = Object.keys(SETTINGS) as SettingName[];
const KNOWN = new Set<string>(NAMES);

/**
 * Reads settings from, in rising precedence, `config/default.yaml`,
 * `config/<NODE_ENV>.yaml`, `.env` and the environment, then validates them
 * all at once into a typed AppConfig.
 */
export function loadConfig(options: LoadOptions = {}): AppConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const problems: string[] = [];
  const raw = new Map<string, RawValue>();
  const merge = (values: Record<string, string>, origin: string) => {
    for (const [name, value] of Object.entries(values)) {
      if (KNOWN.has(name)) raw.set(name, { value, origin });
    }
  };

  const dotenv = readDotenv(cwd, problems);
  const nodeEnv = env.NODE_ENV ?? dotenv.NODE_ENV ?? 'development';
  merge(readYaml(cwd, 'default.yaml', problems), 'config/default.yaml');
  merge(readYaml(cwd, `${nodeEnv}.yaml`, problems), `config/${nodeEnv}.yaml`);
  merge(dotenv, '.env');
  merge(definedOnly(env), 'the environment');

  for (const [name, entry] of raw) {
    if (
      NON_EMPTY_IN_ENVIRONMENT.has(name) &&
      entry.origin === 'the environment' &&
      entry.value.trim() === ''
    ) {
      problems.push(
        `${name} is set but empty; give it a value or unset it (an empty value never turns the check off).`,
      );
    }
  }
  const input = Object.fromEntries(
    [...raw]
      .filter(([, entry]) => entry.value !== '')
      .map(([name, entry]) => [name, entry.value]),
  );
  const parsed = settingsSchema.safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0]);
      const entry = raw.get(name);
      const received = entry
        ? `"${shown(name, entry.value)}" (from ${entry.origin})`
        : 'nothing';
      problems.push(`${name}=${received} is invalid: ${issue.message}.`);
    }
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);

  const config = new AppConfig(parsed.data);
  problems.push(...config.problems());
  if (problems.length > 0) throw new ConfigError(problems);

  return config;
}

/** Hides keys entirely and the credentials inside URLs, so errors never print a secret. */
function shown(name: string, value: string): string {
  if (name.endsWith('_KEY') || name.endsWith('_SECRET')) return '***';

  return name.endsWith('_URL') ? redactUrlCredentials(value) : value;
}

function definedOnly(
  env: Record<string, string | undefined>,
): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined) values[name] = value;
  }

  return values;
}

function readDotenv(cwd: string, problems: string[]): Record<string, string> {
  const file = path.join(cwd, '.env');
  if (!existsSync(file)) return {};
  try {
    return definedOnly(parseEnv(readFileSync(file, 'utf8')));
  } catch (error) {
    problems.push(`.env could not be read: ${String(error)}.`);
    return {};
  }
}

/** Reads a flat YAML map of setting names; lists may be YAML sequences. */
function readYaml(
  cwd: string,
  name: string,
  problems: string[],
): Record<string, string> {
  const file = path.join(cwd, 'config', name);
  if (!existsSync(file)) return {};
  let document: unknown;
  try {
    document = parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    problems.push(`config/${name} is not valid YAML: ${String(error)}.`);
    return {};
  }
  if (document === null || document === undefined) return {};
  if (typeof document !== 'object' || Array.isArray(document)) {
    problems.push(`config/${name} must be a map of setting names to values.`);
    return {};
  }

  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(document)) {
    if (!KNOWN.has(key)) {
      problems.push(
        `config/${name} sets unknown setting ${key}; see .env.example for the names.`,
      );
      continue;
    }
    values[key] = Array.isArray(value)
      ? value.map(String).join(',')
      : String(value ?? '');
  }

  return values;
}

export type ProviderLists = Record<Capability, SourceId[]>;
