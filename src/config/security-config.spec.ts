import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.loader.js';

const SECRET = 'a-test-secret-that-is-long-enough-for-hs256';
let cwd: string;

beforeEach(() => {
  cwd = mkdtempSync(path.join(tmpdir(), 'security-config-'));
});

afterEach(() => {
  rmSync(cwd, { recursive: true, force: true });
});

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig({ env, cwd });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }

  return [];
}

function keysFile(content: string): string {
  const file = path.join(cwd, 'keys.yaml');
  writeFileSync(file, content);

  return file;
}

const HASH = 'a'.repeat(64);

describe('security settings', () => {
  it('leave authentication off without a key', () => {
    const config = loadConfig({ env: {}, cwd });

    expect(config.security.authEnabled).toBe(false);
  });

  it('turn authentication on with JWT_SECRET', () => {
    const config = loadConfig({ env: { JWT_SECRET: SECRET }, cwd });

    expect(config.security.authEnabled).toBe(true);
    expect(config.security.jwt.algorithms).toEqual(['HS256']);
  });

  it('refuse production without authentication, naming the settings', () => {
    const problems = problemsOf({ NODE_ENV: 'production' });

    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('NODE_ENV=production');
    expect(problems[0]).toContain('JWT_SECRET, JWT_PUBLIC_KEY or JWT_JWKS_URL');
  });

  it('refuse AUTH_ENABLED=false in production', () => {
    const problems = problemsOf({
      NODE_ENV: 'production',
      JWT_SECRET: SECRET,
      AUTH_ENABLED: 'false',
    });

    expect(problems[0]).toContain('AUTH_ENABLED=false');
  });

  it('refuse AUTH_ENABLED=true without a key', () => {
    expect(problemsOf({ AUTH_ENABLED: 'true' })[0]).toContain(
      'AUTH_ENABLED=true needs a key',
    );
  });

  it.each(['JWT_SECRET', 'JWT_PUBLIC_KEY', 'JWT_JWKS_URL', 'API_KEYS_FILE'])(
    'treat an empty %s in the environment as an error',
    (name) => {
      const problems = problemsOf({ [name]: '' });

      expect(problems).toHaveLength(1);
      expect(problems[0]).toContain(`${name} is set but empty`);
    },
  );

  it('reject a short secret without printing it', () => {
    const problems = problemsOf({ JWT_SECRET: 'short-secret-value' });

    expect(problems[0]).toContain('JWT_SECRET is too short (18 bytes)');
    expect(problems.join('\n')).not.toContain('short-secret-value');
  });

  it('hide a secret that fails the schema', () => {
    const problems = problemsOf({ JWT_SECRET: '   ' });

    expect(problems.join('\n')).toContain('JWT_SECRET="***"');
  });

  it('reject an invalid public key', () => {
    const problems = problemsOf({
      JWT_PUBLIC_KEY:
        '-----BEGIN PUBLIC KEY-----\nnot a key\n-----END PUBLIC KEY-----',
    });

    expect(problems[0]).toContain('JWT_PUBLIC_KEY is not a valid PEM');
  });

  it('reject an HMAC algorithm without JWT_SECRET', () => {
    const problems = problemsOf({
      JWT_JWKS_URL: 'https://idp.example.com/jwks.json',
      JWT_ALGORITHMS: 'RS256,HS256',
    });

    expect(problems).toEqual([
      'JWT_ALGORITHMS names HS256, which needs JWT_SECRET.',
    ]);
  });

  it('reject alg none', () => {
    const problems = problemsOf({
      JWT_SECRET: SECRET,
      JWT_ALGORITHMS: 'none',
    });

    expect(problems[0]).toContain('JWT_ALGORITHMS="none"');
    expect(problems[0]).toContain('expected one of HS256');
  });

  it('read API keys with their scopes and tier', () => {
    const file = keysFile(
      `keys:\n  - name: bot\n    sha256: ${HASH.toUpperCase()}\n    scopes: [quotes:read]\n    tier: pro\n`,
    );
    const config = loadConfig({
      env: {
        JWT_SECRET: SECRET,
        API_KEYS_FILE: file,
        RATE_LIMIT_TIERS: 'pro:5000',
      },
      cwd,
    });

    expect(config.security.apiKeys).toEqual([
      { name: 'bot', sha256: HASH, scopes: ['quotes:read'], tier: 'pro' },
    ]);
    expect(config.security.rateLimit.tiers.get('pro')).toBe(5000);
  });

  it('reject an API key with an unknown tier', () => {
    const file = keysFile(
      `keys:\n  - name: bot\n    sha256: ${HASH}\n    scopes: [quotes:read]\n    tier: gold\n`,
    );

    expect(
      problemsOf({ JWT_SECRET: SECRET, API_KEYS_FILE: file })[0],
    ).toContain('names tier "gold"');
  });

  it('reject an API key with an unknown scope', () => {
    const file = keysFile(
      `keys:\n  - name: bot\n    sha256: ${HASH}\n    scopes: [admin]\n`,
    );

    expect(
      problemsOf({ JWT_SECRET: SECRET, API_KEYS_FILE: file })[0],
    ).toContain('keys.0.scopes.0');
  });

  it('require JWT_SECRET to issue tokens for API keys', () => {
    const file = keysFile(
      `keys:\n  - name: bot\n    sha256: ${HASH}\n    scopes: [quotes:read]\n`,
    );
    const problems = problemsOf({
      JWT_JWKS_URL: 'https://idp.example.com/jwks.json',
      API_KEYS_FILE: file,
    });

    expect(problems[0]).toContain(
      'API_KEYS_FILE is set, but JWT_SECRET is not',
    );
  });

  it.each(['10.0.0.0/8', '127.0.0.1', '::1', 'fd00::/8'])(
    'accept the trusted proxy %s',
    (proxy) => {
      const config = loadConfig({ env: { TRUSTED_PROXIES: proxy }, cwd });

      expect(config.security.trustedProxies).toEqual([proxy]);
    },
  );

  it.each(['10.0.0.0/33', 'proxy.local', '10.0.0.0/8/1'])(
    'reject the trusted proxy %s',
    (proxy) => {
      expect(problemsOf({ TRUSTED_PROXIES: proxy })[0]).toContain(
        'TRUSTED_PROXIES',
      );
    },
  );
});
