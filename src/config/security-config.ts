import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { Settings } from './config.schema.js';

/** Scopes a token or API key can grant. */
export const SCOPES = [
  'quotes:read',
  'history:read',
  'stream:subscribe',
] as const;
export type Scope = (typeof SCOPES)[number];

/**
 * Shortest HMAC secret accepted, in bytes. RFC 7518, section 3.2, requires a
 * key at least as long as the hash output, 256 bits for HS256.
 */
const MIN_SECRET_BYTES = 32;

/** One entry of API_KEYS_FILE: the SHA-256 of a key and what the key grants. */
export interface ApiKeyEntry {
  name: string;
  /** Lower-case hex SHA-256 of the key. */
  sha256: string;
  scopes: Scope[];
  /** Rate-limit tier from RATE_LIMIT_TIERS; null for the default limit. */
  tier: string | null;
}

/** Authentication, rate-limit, CORS and request-size settings; times in ms. */
export interface SecuritySettings {
  /** True when requests to /api and streams must carry a valid token. */
  authEnabled: boolean;
  jwt: {
    /** HMAC secret for HS* algorithms, as bytes. */
    secret: Uint8Array | null;
    /** PEM of the public key for RS*, PS*, ES* or EdDSA. */
    publicKeyPem: string | null;
    jwksUrl: string | null;
    /** How long the JWKS and the tokens verified with its keys are kept. */
    jwksCacheMs: number;
    issuer: string | null;
    audience: string | null;
    algorithms: string[];
    clockToleranceMs: number;
    /** Lifetime of the tokens POST /auth/token issues. */
    tokenTtlMs: number;
  };
  apiKeys: ApiKeyEntry[];
  rateLimit: {
    /** Requests per window and client; 0 turns rate limiting off. */
    requests: number;
    windowMs: number;
    /** Requests per window by tier name. */
    tiers: ReadonlyMap<string, number>;
    /** Requests per window and client address to POST /auth/token. */
    tokenRequests: number;
  };
  streamMessagesPerSecond: number;
  /** Proxies whose X-Forwarded-For is believed; null believes none. */
  trustedProxies: string[] | null;
  cors: { origins: string[] | null; methods: string[]; headers: string[] };
  bodyLimitBytes: number;
  headerLimitBytes: number;
}

const apiKeysSchema = z.object({
  keys: z.array(
    z.object({
      name: z.string().trim().min(1),
      sha256: z
        .string()
        .trim()
        .toLowerCase()
        .regex(/^[0-9a-f]{64}$/, {
          error: 'expected the 64 hex digits of a SHA-256 hash',
        }),
      scopes: z.array(z.enum(SCOPES)).min(1),
      tier: z.string().trim().min(1).optional(),
    }),
  ),
});

/**
 * Reads the security settings, the PEM file that JWT_PUBLIC_KEY may name and
 * API_KEYS_FILE, and lists every problem found instead of throwing.
 */
export function readSecurity(settings: Settings): {
  security: SecuritySettings;
  problems: string[];
} {
  const problems: string[] = [];
  const secret = readSecret(settings, problems);
  const publicKey = readPublicKey(settings, problems);
  const jwksUrl = settings.JWT_JWKS_URL ?? null;
  const hasKey = secret !== null || publicKey !== null || jwksUrl !== null;
  const authEnabled = settings.AUTH_ENABLED ?? hasKey;
  const tiers = new Map(
    (settings.RATE_LIMIT_TIERS ?? []).map((tier) => [tier.name, tier.requests]),
  );
  const apiKeys = settings.API_KEYS_FILE
    ? readApiKeys(settings.API_KEYS_FILE, problems)
    : [];

  if (settings.AUTH_ENABLED === true && !hasKey) {
    problems.push(
      'AUTH_ENABLED=true needs a key to check tokens with: set JWT_SECRET, JWT_PUBLIC_KEY or JWT_JWKS_URL.',
    );
  }
  if (settings.NODE_ENV === 'production' && !authEnabled) {
    problems.push(
      settings.AUTH_ENABLED === false
        ? 'AUTH_ENABLED=false is not allowed with NODE_ENV=production; authentication must be on.'
        : 'NODE_ENV=production requires authentication: set JWT_SECRET, JWT_PUBLIC_KEY or JWT_JWKS_URL.',
    );
  }
  if (settings.API_KEYS_FILE && secret === null) {
    problems.push(
      'API_KEYS_FILE is set, but JWT_SECRET is not; the tokens issued for API keys are signed with JWT_SECRET.',
    );
  }
  for (const key of apiKeys) {
    if (key.tier !== null && !tiers.has(key.tier)) {
      problems.push(
        `API_KEYS_FILE key "${key.name}" names tier "${key.tier}", which RATE_LIMIT_TIERS does not define.`,
      );
    }
  }
  const algorithms =
    settings.JWT_ALGORITHMS ?? defaultAlgorithms(secret, publicKey, jwksUrl);
  for (const algorithm of algorithms) {
    const symmetric = algorithm.startsWith('HS');
    if (symmetric && secret === null) {
      problems.push(
        `JWT_ALGORITHMS names ${algorithm}, which needs JWT_SECRET.`,
      );
    }
    if (!symmetric && publicKey === null && jwksUrl === null) {
      problems.push(
        `JWT_ALGORITHMS names ${algorithm}, which needs JWT_PUBLIC_KEY or JWT_JWKS_URL.`,
      );
    }
  }

  const security: SecuritySettings = {
    authEnabled,
    jwt: {
      secret,
      publicKeyPem:
        publicKey?.export({ type: 'spki', format: 'pem' }).toString() ?? null,
      jwksUrl,
      jwksCacheMs: settings.JWT_JWKS_CACHE_TTL * 1000,
      issuer: settings.JWT_ISSUER ?? null,
      audience: settings.JWT_AUDIENCE ?? null,
      algorithms,
      clockToleranceMs: settings.JWT_CLOCK_TOLERANCE * 1000,
      tokenTtlMs: settings.JWT_TOKEN_TTL * 1000,
    },
    apiKeys,
    rateLimit: {
      requests: settings.RATE_LIMIT_REQUESTS,
      windowMs: settings.RATE_LIMIT_WINDOW * 1000,
      tiers,
      tokenRequests: settings.AUTH_TOKEN_RATE_LIMIT,
    },
    streamMessagesPerSecond: settings.STREAM_MESSAGE_RATE_LIMIT,
    trustedProxies: settings.TRUSTED_PROXIES ?? null,
    cors: {
      origins: settings.CORS_ORIGINS ?? null,
      methods: settings.CORS_METHODS,
      headers: settings.CORS_HEADERS,
    },
    bodyLimitBytes: settings.REQUEST_BODY_LIMIT,
    headerLimitBytes: settings.REQUEST_HEADER_LIMIT,
  };

  return { security, problems };
}

function readSecret(settings: Settings, problems: string[]): Uint8Array | null {
  if (settings.JWT_SECRET === undefined) return null;
  const secret = new TextEncoder().encode(settings.JWT_SECRET);
  if (secret.byteLength < MIN_SECRET_BYTES) {
    // The message gives the length only, never the secret.
    problems.push(
      `JWT_SECRET is too short (${secret.byteLength} bytes): HS256 needs at least ${MIN_SECRET_BYTES} bytes; generate one with "openssl rand -base64 48".`,
    );
  }

  return secret;
}

/** Parses JWT_PUBLIC_KEY, which contains PEM text or the path of a PEM file. */
function readPublicKey(
  settings: Settings,
  problems: string[],
): KeyObject | null {
  const value = settings.JWT_PUBLIC_KEY;
  if (value === undefined) return null;
  let pem = value.replaceAll('\\n', '\n');
  if (!pem.startsWith('-----BEGIN')) {
    try {
      pem = readFileSync(path.resolve(value), 'utf8');
    } catch (error) {
      problems.push(
        `JWT_PUBLIC_KEY is neither PEM text nor a readable file: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`,
      );
      return null;
    }
  }
  try {
    const key = createPublicKey(pem);
    return key;
  } catch {
    problems.push(
      'JWT_PUBLIC_KEY is not a valid PEM public key (expected "-----BEGIN PUBLIC KEY-----").',
    );
    return null;
  }
}

/** Picks the algorithm that fits each configured key when JWT_ALGORITHMS is unset. */
function defaultAlgorithms(
  secret: Uint8Array | null,
  publicKey: KeyObject | null,
  jwksUrl: string | null,
): string[] {
  const algorithms: string[] = [];
  if (secret) algorithms.push('HS256');
  if (publicKey) algorithms.push(algorithmOf(publicKey));
  if (jwksUrl) algorithms.push('RS256', 'ES256');

  return [...new Set(algorithms)];
}

function algorithmOf(key: KeyObject): string {
  switch (key.asymmetricKeyType) {
    case 'rsa-pss':
      return 'PS256';
    case 'ec': {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      if (curve === 'secp384r1') return 'ES384';
      if (curve === 'secp521r1') return 'ES512';
      return 'ES256';
    }
    case 'ed25519':
      return 'EdDSA';
    case 'rsa':
    case undefined:
    case 'dsa':
    case 'ed448':
    case 'x25519':
    case 'x448':
      // Keys that cannot sign a JWS fail when imported for RS256 at start-up.
      return 'RS256';
  }
}

function readApiKeys(file: string, problems: string[]): ApiKeyEntry[] {
  let document: unknown;
  try {
    document = parseYaml(readFileSync(path.resolve(file), 'utf8'));
  } catch (error) {
    problems.push(
      `API_KEYS_FILE=${file} could not be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`,
    );
    return [];
  }
  const parsed = apiKeysSchema.safeParse(document);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      problems.push(
        `API_KEYS_FILE=${file} is invalid at ${issue.path.join('.') || 'the top level'}: ${issue.message}; see the README for the format.`,
      );
    }
    return [];
  }
  const hashes = new Set<string>();
  for (const key of parsed.data.keys) {
    if (hashes.has(key.sha256)) {
      problems.push(
        `API_KEYS_FILE=${file} lists the hash of key "${key.name}" twice.`,
      );
    }
    hashes.add(key.sha256);
  }

  return parsed.data.keys.map((key) => ({
    name: key.name,
    sha256: key.sha256,
    scopes: key.scopes,
    tier: key.tier ?? null,
  }));
}
