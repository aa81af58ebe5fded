import type { Logger } from '@nestjs/common';
import { scrubSecrets } from '../../common/secrets.js';
import type {
  UpstreamHttpClient,
  UpstreamResponse,
} from '../upstream/upstream-http.client.js';
import { UpstreamError } from '../upstream/upstream.errors.js';
import { checkResponse, type Fail } from './yahoo-payload.js';

/** The consent cookie and the crumb bound to it; both are secrets. */
export interface YahooCredentials {
  cookie: string;
  crumb: string;
}

const CRUMB_PATH = '/v1/test/getcrumb';
/** Printable ASCII without spaces, as the crumbs Yahoo issues are. */
const CRUMB = /^[\x21-\x7e]{1,128}$/;
/** Shorter cookie values (flags such as `1`) would scrub ordinary words. */
const MIN_SCRUBBED_LENGTH = 8;

/**
 * Holds the cookie and crumb that Yahoo's quote and quoteSummary endpoints
 * require. The handshake GETs the cookie URL, which sets the cookie (often
 * on a 404 page), then GETs `/v1/test/getcrumb` with that cookie, which
 * returns the crumb as plain text. Both are kept until Yahoo refuses them,
 * and one handshake serves every request that waits for it.
 */
export class YahooSession {
  private credentials: YahooCredentials | null = null;
  private handshake: Promise<YahooCredentials> | null = null;

  constructor(
    private readonly client: UpstreamHttpClient,
    private readonly cookieUrl: string,
    private readonly logger: Pick<Logger, 'log' | 'warn'>,
  ) {}

  /**
   * Runs `call` with the cookie and crumb. When it fails with
   * UPSTREAM_UNAUTHORIZED, fetches a new cookie and crumb once and runs it
   * again, so a second refusal reaches the caller.
   */
  async withCredentials<T>(
    symbol: string,
    call: (credentials: YahooCredentials) => Promise<T>,
  ): Promise<T> {
    const used = await this.current(symbol);
    try {
      return await call(used);
    } catch (error) {
      if (!isUnauthorized(error)) throw error;
      this.logger.warn(
        `yahoo ${symbol}: UPSTREAM_UNAUTHORIZED, fetching a new cookie and crumb`,
      );
      if (this.credentials === used) this.credentials = null;

      return call(await this.current(symbol));
    }
  }

  /**
   * Replaces the cookie, each cookie value and the crumb in a text with
   * `***`. During a handshake the new cookie is not stored yet, so it is
   * passed in as `pending`.
   */
  scrub(text: string, pending: Partial<YahooCredentials> = {}): string {
    const cookie = pending.cookie ?? this.credentials?.cookie ?? '';
    const crumb = pending.crumb ?? this.credentials?.crumb ?? '';
    const values = cookie
      .split('; ')
      .map((pair) => pair.slice(pair.indexOf('=') + 1))
      .filter((value) => value.length >= MIN_SCRUBBED_LENGTH);

    return scrubSecrets(text, [cookie, crumb, ...values]);
  }

  private async current(symbol: string): Promise<YahooCredentials> {
    if (this.credentials) return this.credentials;
    this.handshake ??= this.fetchCredentials(symbol).finally(() => {
      this.handshake = null;
    });
    const fetched = await this.handshake;
    this.credentials = fetched;

    return fetched;
  }

  private async fetchCredentials(symbol: string): Promise<YahooCredentials> {
    const cookie = await this.client.call(
      { path: '', baseUrl: this.cookieUrl, skipQuota: true, symbol },
      (response) => readCookie(response, this.fail(symbol, response)),
    );
    const crumb = await this.client.call(
      { path: CRUMB_PATH, headers: { cookie }, symbol },
      (response) => readCrumb(response, this.fail(symbol, response, cookie)),
    );
    this.logger.log(`yahoo ${symbol}: fetched a new cookie and crumb`);

    return { cookie, crumb };
  }

  private fail(
    symbol: string,
    response: UpstreamResponse,
    pendingCookie?: string,
  ): Fail {
    return (code, detail) =>
      this.client.error(
        code,
        this.scrub(detail, { cookie: pendingCookie }),
        symbol,
        {
          status: response.status,
        },
      );
  }
}

/**
 * Returns the `name=value` pairs of every Set-Cookie header as one Cookie
 * header. The status does not matter, because Yahoo sets the cookie on a
 * 404 page.
 */
export function readCookie(response: UpstreamResponse, fail: Fail): string {
  const header = response.headers['set-cookie'];
  let lines: string[] = [];
  if (Array.isArray(header)) lines = header;
  else if (header) lines = [header];
  const pairs = lines
    .map((line) => line.split(';')[0]?.trim() ?? '')
    .filter((pair) => /^[^=\s]+=\S*$/.test(pair));
  if (pairs.length === 0) {
    throw fail(
      'UPSTREAM_UNAUTHORIZED',
      `Yahoo's cookie URL set no cookie (HTTP ${response.status}); check YAHOO_COOKIE_URL.`,
    );
  }

  return pairs.join('; ');
}

/** Returns the crumb from the plain-text body of `/v1/test/getcrumb`. */
export function readCrumb(response: UpstreamResponse, fail: Fail): string {
  checkResponse(response, fail);
  const crumb = response.body.trim();
  if (response.status !== 200 || !CRUMB.test(crumb) || crumb.startsWith('{')) {
    throw fail(
      'UPSTREAM_MALFORMED',
      `Yahoo's crumb endpoint sent no crumb (HTTP ${response.status}, ${crumb.length} characters).`,
    );
  }

  return crumb;
}

function isUnauthorized(error: unknown): boolean {
  return (
    error instanceof UpstreamError && error.code === 'UPSTREAM_UNAUTHORIZED'
  );
}
