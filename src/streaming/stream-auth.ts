import { Injectable } from '@nestjs/common';

/** The identity behind a streaming connection. */
export interface StreamPrincipal {
  anonymous: boolean;
  subject?: string;
  /** Expiry of the token in epoch ms, at which the connection is closed. */
  expiresAt?: number;
}

/**
 * Checks the token a streaming client presents: the Socket.IO handshake's
 * `auth.token`, an `Authorization: Bearer` header, or a `/ws` `auth`
 * message. Throws StreamError UNAUTHORIZED to reject it. The auth module
 * provides the implementation.
 */
export abstract class StreamAuthenticator {
  /** True when a `/ws` client must authenticate before it may subscribe. */
  readonly required: boolean = false;

  abstract authenticate(token: string | null): Promise<StreamPrincipal>;
}

/** Accepts every client as anonymous, token or not; used while authentication is off. */
@Injectable()
export class AnonymousAuthenticator extends StreamAuthenticator {
  authenticate(): Promise<StreamPrincipal> {
    return Promise.resolve({ anonymous: true });
  }
}

/** Reads the token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(
  header: string | string[] | undefined,
): string | null {
  const value = Array.isArray(header) ? header[0] : header;
  const match = value ? /^Bearer\s+(\S+)\s*$/i.exec(value) : null;

  return match?.[1] ?? null;
}
