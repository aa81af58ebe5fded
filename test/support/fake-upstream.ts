import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { TEST_DATA_DIR } from './test-data.js';

/** A request the fake upstream received. */
export interface RecordedCall {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingMessage['headers'];
}

/** What the fake sends back for one request. */
export interface FakeResponse {
  status?: number;
  headers?: Record<string, string | string[]>;
  body?: string;
  /** Milliseconds to wait before responding. */
  delayMs?: number;
  /** Closes the connection without a response. */
  hangUp?: boolean;
}

export type FakeRoute = (call: RecordedCall) => FakeResponse | undefined;

export interface FakeUpstream {
  baseUrl: string;
  calls: RecordedCall[];
  /** Replaces the routes; the first that returns a response is sent. */
  setRoutes(routes: FakeRoute[]): void;
  close(): Promise<void>;
}

/**
 * Starts an HTTP server on 127.0.0.1 that replaces a market data
 * provider: it responds from the given routes, records every call and
 * returns 404 to anything no route claims.
 */
export async function startFakeUpstream(
  routes: FakeRoute[] = [],
): Promise<FakeUpstream> {
  let current = routes;
  const calls: RecordedCall[] = [];
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const call: RecordedCall = {
      method: request.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: request.headers,
    };
    calls.push(call);
    const answer = current
      .map((candidate) => candidate(call))
      .find((found) => found !== undefined) ?? {
      status: 404,
      body: `no fake route for ${call.path}`,
    };
    setTimeout(() => {
      if (answer.hangUp) {
        request.socket.destroy();
        return;
      }
      response.writeHead(answer.status ?? 200, {
        'content-type': 'application/json',
        ...answer.headers,
      });
      response.end(answer.body ?? '');
    }, answer.delayMs ?? 0);
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    calls,
    setRoutes(next) {
      current = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Reads a recorded provider response from the test data's `fixtures/` folder. */
export function fixture(relativePath: string): string {
  return readFileSync(
    path.join(TEST_DATA_DIR, 'fixtures', relativePath),
    'utf8',
  );
}

/**
 * Reads a payload kept in `test/fixtures/`: responses no recording exists
 * for, derived from a recording or written from the provider's documentation,
 * each labelled so in `test/fixtures/README.md`.
 */
export function derivedFixture(relativePath: string): string {
  const folder = path.resolve(
    path.dirname(fileURLToPath(import.meta.url)),
    '..',
    'fixtures',
  );

  return readFileSync(path.join(folder, relativePath), 'utf8');
}

/** Builds a route that responds to GETs to `pathname` whose query contains `query`. */
export function route(
  pathname: string | RegExp,
  query: Record<string, string>,
  response: FakeResponse | (() => FakeResponse),
): FakeRoute {
  return (call) => {
    const pathMatches =
      typeof pathname === 'string'
        ? call.path === pathname
        : pathname.test(call.path);
    const queryMatches = Object.entries(query).every(
      ([name, value]) => call.query[name] === value,
    );
    if (!pathMatches || !queryMatches) return undefined;

    return typeof response === 'function' ? response() : response;
  };
}

/**
 * Starts one fake upstream for the calling spec file, clears its routes and
 * recorded calls after each test, and stops it at the end. Returns a getter,
 * since the server exists only once the hooks have run.
 */
export function useFakeUpstream(): () => FakeUpstream {
  let fake: FakeUpstream | undefined;
  beforeAll(async () => {
    fake = await startFakeUpstream();
  });
  afterEach(() => {
    fake?.setRoutes([]);
    if (fake) fake.calls.length = 0;
  });
  afterAll(async () => {
    await fake?.close();
  });

  return () => {
    if (!fake)
      throw new Error(
        'the fake upstream starts in beforeAll; use it inside a test',
      );
    return fake;
  };
}
