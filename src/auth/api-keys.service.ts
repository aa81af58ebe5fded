import { createHash, randomUUID, type webcrypto } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { SignJWT } from 'jose';
import { ApiError } from '../common/api.errors.js';
import { AppConfig } from '../config/app-config.js';
import type { ApiKeyEntry } from '../config/security-config.js';
import { JwtVerifier } from './jwt-verifier.service.js';

/** Body of a token response, named as in OAuth 2.0 (RFC 6749, section 5.1). */
export interface IssuedToken {
  access_token: string;
  token_type: 'Bearer';
  /** Lifetime of the token in seconds. */
  expires_in: number;
  scope: string;
}

/**
 * Exchanges the API keys of API_KEYS_FILE for short-lived HS256 tokens
 * signed with JWT_SECRET. Only SHA-256 hashes of keys are held; a presented
 * key is hashed and looked up, and neither it nor the token is ever logged.
 */
@Injectable()
export class ApiKeyService {
  private readonly byHash: ReadonlyMap<string, ApiKeyEntry>;

  constructor(
    private readonly config: AppConfig,
    private readonly verifier: JwtVerifier,
  ) {
    this.byHash = new Map(
      config.security.apiKeys.map((entry) => [entry.sha256, entry]),
    );
  }

  async issue(apiKey: string | null): Promise<IssuedToken> {
    const key = this.signingKey();
    if (apiKey === null || apiKey.length === 0) {
      throw new ApiError(
        'UNAUTHORIZED',
        'An API key is required: send {"apiKey": "..."} or an X-API-Key header.',
      );
    }
    const entry = this.byHash.get(
      createHash('sha256').update(apiKey).digest('hex'),
    );
    if (entry === undefined) {
      throw new ApiError('UNAUTHORIZED', 'The API key is not valid.');
    }
    const { tokenTtlMs, issuer, audience } = this.config.security.jwt;
    const scope = entry.scopes.join(' ');
    const claims: Record<string, string> = { scope };
    if (entry.tier !== null) claims.tier = entry.tier;
    let token = new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(`key:${entry.name}`)
      .setJti(randomUUID())
      .setIssuedAt()
      .setExpirationTime(new Date(Date.now() + tokenTtlMs));
    if (issuer !== null) token = token.setIssuer(issuer);
    if (audience !== null) token = token.setAudience(audience);

    return {
      access_token: await token.sign(key),
      token_type: 'Bearer',
      expires_in: Math.round(tokenTtlMs / 1000),
      scope,
    };
  }

  private signingKey(): webcrypto.CryptoKey {
    const key = this.verifier.signingKey();
    if (key === null || this.byHash.size === 0) {
      throw new ApiError(
        'UNAUTHORIZED',
        'This server issues no tokens for API keys: API_KEYS_FILE is not configured.',
      );
    }

    return key;
  }
}
