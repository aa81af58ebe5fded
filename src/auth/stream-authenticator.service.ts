import { Injectable } from '@nestjs/common';
import { ApiError } from '../common/api.errors.js';
import {
  type StreamPrincipal,
  StreamAuthenticator,
} from '../streaming/stream-auth.js';
import { StreamError } from '../streaming/stream.errors.js';
import { JwtVerifier } from './jwt-verifier.service.js';

const STREAM_SCOPE = 'stream:subscribe';

/**
 * Checks the token of a streaming connection with the REST API's verifier
 * and requires the `stream:subscribe` scope. The principal carries the
 * token's expiry, at which the connection is closed.
 */
@Injectable()
export class JwtStreamAuthenticator extends StreamAuthenticator {
  override readonly required = true;

  constructor(private readonly verifier: JwtVerifier) {
    super();
  }

  async authenticate(token: string | null): Promise<StreamPrincipal> {
    if (token === null || token.length === 0) {
      throw new StreamError(
        'UNAUTHORIZED',
        'a token is required: pass auth.token in the Socket.IO handshake, or send {"action":"auth","token":"..."} on /ws',
      );
    }
    try {
      const principal = await this.verifier.verify(token);
      if (!principal.scopes.has(STREAM_SCOPE)) {
        throw new StreamError(
          'UNAUTHORIZED',
          `the token lacks the scope ${STREAM_SCOPE}`,
        );
      }
      return {
        anonymous: false,
        subject: principal.subject,
        expiresAt: principal.expiresAt,
      };
    } catch (error) {
      if (error instanceof ApiError) {
        throw new StreamError('UNAUTHORIZED', error.detail);
      }
      throw error;
    }
  }
}
