import { webcrypto } from 'node:crypto';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import {
  createRemoteJWKSet,
  errors,
  importSPKI,
  jwksCache,
  type JWKSCacheInput,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
  type JWTVerifyOptions,
} from 'jose';
import { LRUCache } from 'lru-cache';
import { ApiError } from '../common/api.errors.js';
import type { RequestContext } from '../common/request-deadline.js';
import { AppConfig } from '../config/app-config.js';
import { logForRequest } from '../observability/nest-logger.js';
import type { Principal } from './principal.js';

/** Verified tokens kept so that a repeated token skips the signature check. */
const VERIFIED_TOKENS_MAX = 10_000;
/** Maximum token length in characters; longer tokens are rejected unparsed. */
const MAX_TOKEN_LENGTH = 8192;
/** Minimum time between two JWKS fetches for unknown key ids, in ms (jose's default). */
const JWKS_COOLDOWN_MS = 30_000;
/** Warnings about an unreachable JWKS URL, at most one per this many ms. */
const JWKS_WARNING_INTERVAL_MS = 60_000;

const HASHES: Readonly<Record<string, string>> = {
  HS256: 'SHA-256',
  HS384: 'SHA-384',
  HS512: 'SHA-512',
};

/**
 * Verifies bearer tokens: signature with only the configured algorithms,
 * `exp` and `nbf` within JWT_CLOCK_TOLERANCE, and `iss` and `aud` when
 * configured. Keys are imported once at start-up as CryptoKeys, one per
 * algorithm, because jose 6 imports a secret given as bytes or a KeyObject
 * again on every call. A verified token is kept in a bounded LRU cache until
 * its `exp` (plus the tolerance), so that a client sending the same token
 * again costs one map lookup instead of a signature check. A token verified
 * with a key of the JWKS is kept no longer than the JWKS itself, so that a
 * withdrawn key stops being accepted within JWT_JWKS_CACHE_TTL.
 */
@Injectable()
export class JwtVerifier implements OnModuleInit {
  private readonly logger = new Logger(JwtVerifier.name);
  private readonly keys = new Map<string, webcrypto.CryptoKey>();
  private jwks: JWTVerifyGetKey | null = null;
  /** jose's copy of the key set, whose `uat` is the time of the last fetch in epoch ms. */
  private readonly jwksState: JWKSCacheInput = {};
  private readonly options: JWTVerifyOptions;
  private readonly toleranceMs: number;
  private readonly verified = new LRUCache<string, Principal>({
    max: VERIFIED_TOKENS_MAX,
  });
  private lastJwksWarning = 0;

  constructor(private readonly config: AppConfig) {
    const jwt = config.security.jwt;
    this.toleranceMs = jwt.clockToleranceMs;
    this.options = {
      algorithms: jwt.algorithms,
      clockTolerance: jwt.clockToleranceMs / 1000,
      requiredClaims: ['exp', 'sub'],
      ...(jwt.issuer === null ? {} : { issuer: jwt.issuer }),
      ...(jwt.audience === null ? {} : { audience: jwt.audience }),
    };
  }

  /** Imports every configured key; a key that does not fit its algorithm stops start-up. */
  async onModuleInit(): Promise<void> {
    const jwt = this.config.security.jwt;
    if (!this.config.security.authEnabled) {
      this.logger.warn(
        'Authentication is off: /api and the streams serve anyone. Set JWT_SECRET, JWT_PUBLIC_KEY or JWT_JWKS_URL before exposing the service.',
      );
      return;
    }
    for (const algorithm of jwt.algorithms) {
      const hash = HASHES[algorithm];
      if (hash !== undefined && jwt.secret) {
        this.keys.set(
          algorithm,
          await webcrypto.subtle.importKey(
            'raw',
            jwt.secret,
            { name: 'HMAC', hash },
            false,
            ['sign', 'verify'],
          ),
        );
      } else if (hash === undefined && jwt.publicKeyPem) {
        try {
          this.keys.set(
            algorithm,
            await importSPKI(jwt.publicKeyPem, algorithm),
          );
        } catch (error) {
          if (jwt.jwksUrl) continue;
          throw new Error(
            `JWT_PUBLIC_KEY does not fit algorithm ${algorithm} of JWT_ALGORITHMS: ${(error as Error).message}`,
            { cause: error },
          );
        }
      }
    }
    if (jwt.jwksUrl) {
      this.jwks = createRemoteJWKSet(new URL(jwt.jwksUrl), {
        cacheMaxAge: jwt.jwksCacheMs,
        cooldownDuration: Math.min(JWKS_COOLDOWN_MS, jwt.jwksCacheMs),
        [jwksCache]: this.jwksState,
      });
    }
  }

  /** Returns the HS256 key for issuing tokens, or null without JWT_SECRET. */
  signingKey(): webcrypto.CryptoKey | null {
    return this.keys.get('HS256') ?? null;
  }

  /**
   * Returns the principal of a token verified before and still valid, or
   * null when the token needs the full check of verify().
   */
  verifiedPrincipal(token: string): Principal | null {
    const cached = this.verified.get(token);
    if (cached === undefined) return null;

    return Date.now() <= cached.expiresAt + this.toleranceMs ? cached : null;
  }

  /**
   * Returns the principal of a valid token, or throws ApiError UNAUTHORIZED
   * or TOKEN_EXPIRED. A warning about the JWKS carries the id of `request`.
   */
  async verify(token: string, request?: RequestContext): Promise<Principal> {
    const cached = this.verified.get(token);
    if (cached !== undefined) {
      if (Date.now() <= cached.expiresAt + this.toleranceMs) return cached;
      this.verified.delete(token);
      throw expired(cached.expiresAt);
    }
    if (token.length > MAX_TOKEN_LENGTH) {
      throw new ApiError(
        'UNAUTHORIZED',
        `The bearer token is longer than ${MAX_TOKEN_LENGTH} characters.`,
      );
    }
    const keySetFetchedAt = this.keySetFetchedAt();
    let payload: JWTPayload;
    let algorithm: string;
    try {
      const result = await jwtVerify(token, this.keyFor, this.options);
      payload = result.payload;
      algorithm = result.protectedHeader.alg;
    } catch (error) {
      throw this.rejection(error, request);
    }
    // RFC 7519 makes `sub` a string; rate limits count by it.
    if (typeof payload.sub !== 'string' || payload.sub === '')
      throw unauthorized('The token claim sub must be a non-empty string.');
    const principal = toPrincipal(payload);
    if (this.keys.has(algorithm)) {
      this.verified.set(token, principal);
      return principal;
    }
    // The key may have been withdrawn right after the set was fetched, so the
    // token is kept only until that set goes stale, not for a whole cache
    // time from now. When jose fetched the set again during this check, the
    // earlier fetch time applies, because the key may come from that set.
    const fetchedAt =
      keySetFetchedAt === 0
        ? this.keySetFetchedAt()
        : Math.min(keySetFetchedAt, this.keySetFetchedAt());
    const ttl = fetchedAt + this.config.security.jwt.jwksCacheMs - Date.now();
    if (ttl > 0) this.verified.set(token, principal, { ttl });

    return principal;
  }

  /** Returns when jose last fetched the JWKS, in epoch ms, or 0 before the first fetch. */
  private keySetFetchedAt(): number {
    return 'uat' in this.jwksState ? this.jwksState.uat : 0;
  }

  /** Picks the key by the token's `alg`, which jose has already checked against JWT_ALGORITHMS. */
  private readonly keyFor: JWTVerifyGetKey = (header, token) => {
    const key = this.keys.get(header.alg);
    if (key !== undefined) return key;
    if (this.jwks && !header.alg.startsWith('HS'))
      return keyFromJwks(this.jwks, header, token);
    throw new errors.JOSEAlgNotAllowed(
      'no key is configured for this algorithm',
    );
  };

  /** Maps a jose error to a 401 whose detail names the failed check without echoing the token. */
  private rejection(error: unknown, request?: RequestContext): ApiError {
    if (error instanceof errors.JWTExpired) {
      const exp = error.payload.exp;
      return expired(typeof exp === 'number' ? exp * 1000 : null);
    }
    if (error instanceof errors.JWTClaimValidationFailed) {
      return unauthorized(claimDetail(error.claim, error.reason));
    }
    if (error instanceof errors.JOSEAlgNotAllowed) {
      return unauthorized(
        `The token's signing algorithm is not accepted; accepted: ${this.config.security.jwt.algorithms.join(', ')}.`,
      );
    }
    if (error instanceof errors.JWSSignatureVerificationFailed) {
      return unauthorized('The token signature is invalid.');
    }
    if (error instanceof errors.JWKSNoMatchingKey) {
      return unauthorized('No key of the JWKS matches the token.');
    }
    if (
      error instanceof JwksUnavailableError ||
      !(error instanceof errors.JOSEError)
    ) {
      this.warnJwks(error, request);
      return unauthorized(
        'The token could not be checked because the signing keys could not be fetched; retry later.',
      );
    }

    return unauthorized('The bearer token is malformed.');
  }

  private warnJwks(error: unknown, request?: RequestContext): void {
    const now = Date.now();
    if (now - this.lastJwksWarning < JWKS_WARNING_INTERVAL_MS) return;
    this.lastJwksWarning = now;
    logForRequest(request, () =>
      this.logger.warn(
        `Fetching the JWKS from ${this.config.security.jwt.jwksUrl ?? 'nowhere'} failed: ${error instanceof Error ? error.message : String(error)}`,
      ),
    );
  }
}

/** A JWKS that could not be fetched or read, as opposed to a token that no key of it matches. */
class JwksUnavailableError extends Error {}

/**
 * Looks the token's key up in the JWKS. jose 6 reports an HTTP error status
 * or a body that is not JSON as a plain JOSEError, the base class of the
 * malformed-token errors too, so every failure other than a key mismatch is
 * rethrown as JwksUnavailableError.
 */
async function keyFromJwks(
  jwks: JWTVerifyGetKey,
  ...[header, token]: Parameters<JWTVerifyGetKey>
): Promise<Awaited<ReturnType<JWTVerifyGetKey>>> {
  try {
    return await jwks(header, token);
  } catch (error) {
    if (
      error instanceof errors.JWKSNoMatchingKey ||
      error instanceof errors.JWKSMultipleMatchingKeys
    )
      throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new JwksUnavailableError(reason, { cause: error });
  }
}

function unauthorized(detail: string): ApiError {
  return new ApiError('UNAUTHORIZED', detail);
}

function expired(expiresAt: number | null): ApiError {
  const when =
    expiresAt === null ? '' : ` at ${new Date(expiresAt).toISOString()}`;

  return new ApiError(
    'TOKEN_EXPIRED',
    `The token expired${when}; request a new one.`,
  );
}

function claimDetail(claim: string, reason: string): string {
  if (claim === 'nbf')
    return 'The token is not valid yet (nbf is in the future).';
  if (claim === 'iss') return 'The token issuer (iss) is not accepted.';
  if (claim === 'aud') return 'The token audience (aud) is not accepted.';
  if (reason === 'missing') return `The token has no ${claim} claim.`;

  return `The token claim ${claim} is invalid.`;
}

/** Reads scopes from `scope` (space-separated, RFC 8693) or `scp` (a list). */
function toPrincipal(payload: JWTPayload): Principal {
  const scopes = new Set<string>();
  if (typeof payload.scope === 'string') {
    for (const scope of payload.scope.split(' ')) if (scope) scopes.add(scope);
  }
  if (Array.isArray(payload.scp)) {
    for (const scope of payload.scp)
      if (typeof scope === 'string') scopes.add(scope);
  }

  return {
    subject: payload.sub ?? '',
    scopes,
    tier: typeof payload.tier === 'string' ? payload.tier : null,
    expiresAt: (payload.exp ?? 0) * 1000,
  };
}
