import type { Logger } from '@nestjs/common';
import { YahooSource } from '../../src/providers/yahoo/yahoo.adapter.js';
import {
  derivedFixture,
  fixture,
  route,
  type FakeResponse,
  type FakeRoute,
} from './fake-upstream.js';
import { fakeLogger } from './fake-logger.js';
import {
  testUpstreamContext,
  type TestContextOptions,
} from './upstream-context.js';

/** Path the fake upstream serves Yahoo's consent cookie on, below its base URL. */
export const YAHOO_COOKIE_PATH = '/consent';

/** The crumb and cookie values of the derived handshake, to look for in logs. */
export const YAHOO_CRUMB = 'Tq7crumbTST';
export const YAHOO_COOKIE_VALUES = [
  'TESTA3COOKIEVALUE0001',
  'TESTA1COOKIEVALUE0001',
  'TESTA1SCOOKIEVALUE001',
];

interface Envelope {
  response: {
    status: number;
    headers: Record<string, string | string[]>;
    bodyJson?: unknown;
    bodyText?: string;
  };
}

/**
 * Serves a Yahoo envelope (recorded or derived) as Yahoo sent it: its
 * status, content type and Set-Cookie headers, and `bodyJson` serialised
 * or `bodyText` as it is.
 */
export function envelopeResponse(text: string): FakeResponse {
  const { response } = JSON.parse(text) as Envelope;
  const headers: Record<string, string | string[]> = {};
  for (const name of ['content-type', 'set-cookie']) {
    const value = response.headers[name];
    if (value !== undefined) headers[name] = value;
  }
  const body =
    response.bodyText ?? JSON.stringify(response.bodyJson, null, 2) ?? '';

  return { status: response.status, headers, body };
}

/** Serves a recorded Yahoo response from the test data's `fixtures/yahoo/`. */
export function yahooRecording(name: string): FakeResponse {
  return envelopeResponse(fixture(`yahoo/${name}`));
}

/** Serves a derived Yahoo response from `test/fixtures/yahoo/`. */
export function yahooDerived(name: string): FakeResponse {
  return envelopeResponse(derivedFixture(`yahoo/${name}`));
}

/** Routes of the crumb handshake: the consent cookie, then the crumb. */
export function yahooHandshakeRoutes(): FakeRoute[] {
  return [
    route(YAHOO_COOKIE_PATH, {}, yahooDerived('handshake-cookie.json')),
    route('/v1/test/getcrumb', {}, yahooDerived('handshake-crumb.json')),
  ];
}

export interface TestYahooSource {
  source: YahooSource;
  logger: ReturnType<typeof fakeLogger>;
}

/**
 * Builds a Yahoo source against a fake upstream, with its cookie URL on the
 * same fake and a logger that records each line.
 */
export function testYahooSource(
  baseUrl: string,
  options: Omit<TestContextOptions, 'id' | 'baseUrl'> = {},
): TestYahooSource {
  const logger = fakeLogger();
  const context = testUpstreamContext({
    id: 'yahoo',
    baseUrl,
    key: null,
    ...options,
  });
  const source = new YahooSource(
    { ...context, logger: logger as unknown as Logger },
    { cookieUrl: baseUrl + YAHOO_COOKIE_PATH },
  );

  return { source, logger };
}

/** Joins every line a fake logger recorded, for searching. */
export function loggedText(logger: ReturnType<typeof fakeLogger>): string {
  return [logger.log, logger.warn, logger.error, logger.debug]
    .flatMap((method) => method.mock.calls.flat())
    .map(String)
    .join('\n');
}
