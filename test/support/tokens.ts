import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SignJWT } from 'jose';

/** Generates an HMAC secret of 48 random bytes, base64: long enough for HS256. */
export function newSecret(): string {
  return randomBytes(48).toString('base64');
}

export interface TokenOptions {
  subject?: string;
  scope?: string;
  tier?: string;
  issuer?: string;
  audience?: string;
  /** `exp` relative to now, in seconds (negative: already expired). */
  expiresIn?: number;
  /** `nbf` relative to now, in seconds. */
  notBefore?: number;
}

/** Signs an HS256 token with `secret` (text, as in JWT_SECRET). */
export function signHs256(
  secret: string | Uint8Array,
  options: TokenOptions = {},
  algorithm = 'HS256',
): Promise<string> {
  const key =
    typeof secret === 'string' ? new TextEncoder().encode(secret) : secret;

  return buildToken(options).setProtectedHeader({ alg: algorithm }).sign(key);
}

/** Builds the claims of a test token; defaults: subject "tester", 5 minutes of life. */
export function buildToken(options: TokenOptions = {}): SignJWT {
  const now = Math.floor(Date.now() / 1000);
  const claims: Record<string, string> = {};
  if (options.scope !== undefined) claims.scope = options.scope;
  if (options.tier !== undefined) claims.tier = options.tier;
  let token = new SignJWT(claims)
    .setSubject(options.subject ?? 'tester')
    .setIssuedAt(now)
    .setExpirationTime(now + (options.expiresIn ?? 300));
  if (options.notBefore !== undefined)
    token = token.setNotBefore(now + options.notBefore);
  if (options.issuer !== undefined) token = token.setIssuer(options.issuer);
  if (options.audience !== undefined)
    token = token.setAudience(options.audience);

  return token;
}

function base64urlJson(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** Builds an unsigned token (`alg: none`) with the given claims. */
export function unsignedToken(claims: Record<string, unknown>): string {
  const encode = base64urlJson;

  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode(claims)}.`;
}

export interface TestApiKey {
  key: string;
  name: string;
  scopes: string[];
  tier?: string;
}

/** Writes an API_KEYS_FILE holding the SHA-256 of each key, and returns its path. */
export function writeApiKeysFile(keys: TestApiKey[]): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'api-keys-'));
  const file = path.join(dir, 'api-keys.json');
  const entries = keys.map((entry) => ({
    name: entry.name,
    sha256: createHash('sha256').update(entry.key).digest('hex'),
    scopes: entry.scopes,
    ...(entry.tier === undefined ? {} : { tier: entry.tier }),
  }));
  writeFileSync(file, JSON.stringify({ keys: entries }, null, 2));

  return file;
}
