import type { UpstreamErrorCode } from '../upstream/upstream.errors.js';

/** Top-level keys under which Alpha Vantage sends notices instead of data. */
export const NOTICE_KEYS = ['Note', 'Information', 'Error Message'] as const;

export type NoticeKey = (typeof NOTICE_KEYS)[number];

/** A notice Alpha Vantage sent with HTTP 200 in place of data. */
export interface Notice {
  key: NoticeKey;
  text: string;
}

/** A notice sorted into an error catalogue code, with the wait it implies. */
export interface NoticeClass {
  code: UpstreamErrorCode;
  retryAfterMs?: number;
}

const MINUTE_MS = 60_000;

const REJECTED_KEY = [
  /apikey is invalid/i,
  /invalid api ?key/i,
  /api ?key is (missing|invalid)/i,
  /\bdemo\b.*api key/i,
  /claim your free api key/i,
];
const CALL_FREQUENCY = [
  /call frequency/i,
  /per (minute|second)/i,
  /sparingly/i,
  /burst/i,
  /higher api call volume/i,
];
const DAILY_LIMIT = [/per day/i, /daily rate limit/i, /daily limit/i];
const PREMIUM = [/premium endpoint/i, /premium feature/i, /premium plan/i];
const INVALID_CALL = /invalid api call/i;

/**
 * Sorts a notice by its text, whatever key it came under, because Alpha
 * Vantage has sent the same condition under `Note` in one year and under
 * `Information` in another. The order matters: the per-second burst text
 * also names the daily limit and the premium plans, and the daily-limit
 * text names the premium plans.
 *
 * A daily limit is QUOTA_EXHAUSTED rather than UPSTREAM_RATE_LIMITED: the
 * key's budget is spent until the day rolls over, like our own quota, so
 * waiting a minute does not help. `hasSymbol` is true when the request
 * named a symbol, because only then does "Invalid API call" mean an
 * unknown symbol.
 */
export function classifyNotice(
  notice: Notice,
  hasSymbol: boolean,
): NoticeClass {
  const { text } = notice;
  const matches = (patterns: readonly RegExp[]) =>
    patterns.some((pattern) => pattern.test(text));

  if (matches(REJECTED_KEY)) return { code: 'UPSTREAM_UNAUTHORIZED' };
  if (matches(CALL_FREQUENCY)) {
    return { code: 'UPSTREAM_RATE_LIMITED', retryAfterMs: MINUTE_MS };
  }
  if (matches(DAILY_LIMIT)) return { code: 'QUOTA_EXHAUSTED' };
  if (matches(PREMIUM)) return { code: 'PLAN_NOT_PERMITTED' };
  if (hasSymbol && INVALID_CALL.test(text)) return { code: 'SYMBOL_NOT_FOUND' };

  return { code: 'UPSTREAM_UNAVAILABLE' };
}

/** Returns the notice of a parsed body, or null when it carries none. */
export function findNotice(body: unknown): Notice | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return null;
  }
  const record = body as Record<string, unknown>;
  for (const key of NOTICE_KEYS) {
    const value = record[key];
    if (value === undefined) continue;

    return {
      key,
      text: typeof value === 'string' ? value : JSON.stringify(value),
    };
  }

  return null;
}
