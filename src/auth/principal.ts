import type { ApiError } from '../common/api.errors.js';

/** The verified identity behind a request or a streaming connection. */
export interface Principal {
  /** The token's `sub` claim; tokens issued for an API key use `key:<name>`. */
  subject: string;
  scopes: ReadonlySet<string>;
  /** Rate-limit tier from the token's `tier` claim; null for the default limit. */
  tier: string | null;
  /** The token's `exp` claim, in epoch milliseconds. */
  expiresAt: number;
}

/** Authentication result of one HTTP request. */
export interface RequestAuth {
  principal: Principal | null;
  /** The 401 to send once the request has been counted for rate limiting. */
  failure: ApiError | null;
  /** `WWW-Authenticate` value of that 401 (RFC 6750, section 3). */
  challenge: string;
}

/**
 * Authentication result per request. A WeakMap keeps the request objects'
 * shape unchanged, and entries go away with their requests.
 */
const results = new WeakMap<object, RequestAuth>();

export function setRequestAuth(request: object, auth: RequestAuth): void {
  results.set(request, auth);
}

export function requestAuth(request: object): RequestAuth | undefined {
  return results.get(request);
}
