import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { StreamClient } from './stream-client.js';
import { closeOnTokenExpiry } from './token-expiry.js';

/** Creates a client stand-in that records the calls closeOnTokenExpiry makes. */
function recordingClient() {
  const calls: string[] = [];
  const client = {
    send: (event: string, data: { code: string }) =>
      calls.push(`${event}:${data.code}`),
    close: (code: string) => calls.push(`close:${code}`),
  };

  return { calls, client: client as unknown as StreamClient };
}

describe('closeOnTokenExpiry', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('closes after exp plus the tolerance', () => {
    const { calls, client } = recordingClient();
    const expiresAt = Date.now() + 1000;
    closeOnTokenExpiry(client, { anonymous: false, expiresAt }, 500);

    vi.advanceTimersByTime(1400);
    expect(calls).toEqual([]);

    vi.advanceTimersByTime(200);
    expect(calls).toEqual(['status:token_expired', 'close:UNAUTHORIZED']);
  });

  it('closes at once a token past its tolerance', () => {
    const { calls, client } = recordingClient();
    const expiresAt = Date.now() - 2000;
    closeOnTokenExpiry(client, { anonymous: false, expiresAt }, 1000);

    vi.advanceTimersByTime(0);
    expect(calls).toEqual(['status:token_expired', 'close:UNAUTHORIZED']);
  });

  it('stops when cancelled', () => {
    const { calls, client } = recordingClient();
    const cancel = closeOnTokenExpiry(
      client,
      { anonymous: false, expiresAt: Date.now() + 100 },
      0,
    );

    cancel();
    vi.advanceTimersByTime(1000);
    expect(calls).toEqual([]);
  });
});
