import { Injectable } from '@nestjs/common';

/** The identity behind a streaming connection. */
export interface StreamPrincipal {
  anonymous: boolean;
  subject?: string;
}

/**
 * Checks the token a streaming client presents: the Socket.IO handshake's
 * `auth.token`, an `Authorization: Bearer` header, or a `/ws` `auth`
 * message. Throws StreamError UNAUTHORIZED to reject it. An auth module
 * replaces this class by providing another implementation under it.
 */
export abstract class StreamAuthenticator {
  abstract authenticate(token: string | null): Promise<StreamPrincipal>;
}

/**
 * Accepts every client as anonymous, token or not.
 * TODO: verify JWTs here once the auth module exists (AUTH_ENABLED, JWT_*).
 */
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
