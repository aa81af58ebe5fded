import type { StreamPrincipal } from './stream-auth.js';
import type { StreamClient } from './stream-client.js';

/** Maximum delay of setTimeout (2^31 - 1 ms, about 24.8 days). */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Closes a connection when its token expires, `toleranceMs` after its `exp`
 * as for REST requests (JWT_CLOCK_TOLERANCE): a `status` message with code
 * `token_expired`, then the connection is closed with UNAUTHORIZED. Returns
 * a function that cancels the timer, for a connection that ends first or
 * authenticates again.
 */
export function closeOnTokenExpiry(
  client: StreamClient,
  principal: StreamPrincipal,
  toleranceMs: number,
): () => void {
  if (principal.expiresAt === undefined) return () => undefined;
  const delay = Math.min(
    MAX_TIMER_MS,
    Math.max(0, principal.expiresAt + toleranceMs - Date.now()),
  );
  const timer = setTimeout(() => {
    client.send('status', {
      code: 'token_expired',
      detail: 'the token expired; reconnect with a new token',
    });
    client.close('UNAUTHORIZED', 'the token expired');
  }, delay);
  timer.unref();

  return () => clearTimeout(timer);
}
