import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type * as sentHeaders from '../src/cache/sent-headers.js';
import { writeSent } from '../src/cache/sent-headers.js';
import { startTestApp, type TestApp } from './support/app.js';
import {
  headerOf,
  readWhole,
  type WholeResponse,
} from './support/fast-path.js';
import { newSecret, signHs256 } from './support/tokens.js';

// A spy around writeSent counts the responses written without the hooks.
vi.mock('../src/cache/sent-headers.js', async (importOriginal) => {
  const original = await importOriginal<typeof sentHeaders>();
  return {
    ...original,
    writeSent: vi.fn<typeof sentHeaders.writeSent>(original.writeSent),
  };
});

const CRYPTO = '/api/quotes/BTC-USD';
/**
 * The same quote with a query that parses to no parameters. The fast path
 * keeps no URL with a query, so this URL always takes the full pipeline to
 * the same cache entry. A bare `?` would not do, because URL parsing in
 * node:http and fetch drops an empty query before the request is sent.
 */
const CRYPTO_PIPELINE = `${CRYPTO}?&`;

/** Header lines whose values differ from one response to the next by design. */
const PER_RESPONSE_LINE =
  /^(date|x-request-id|x-ratelimit-remaining|x-ratelimit-reset): .*\r\n/gim;

/**
 * Sends a GET with node:http and returns the headers in the order and case
 * they came over the wire. Fetch cannot do that, because its Headers object
 * sorts the names.
 */
function getOnWire(
  api: TestApp,
  path: string,
  headers: Record<string, string>,
): Promise<WholeResponse> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      api.baseUrl + path,
      { headers, agent: false },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          body += chunk;
        });
        response.on('end', () => {
          const pairs: [string, string][] = [];
          const raw = response.rawHeaders;
          for (let i = 0; i + 1 < raw.length; i += 2)
            pairs.push([raw[i] ?? '', raw[i + 1] ?? '']);
          resolve({ status: response.statusCode ?? 0, body, headers: pairs });
        });
      },
    );
    request.on('error', reject);
    request.end();
  });
}

/** Returns the text of a GET with `extra` header lines, each ending in CRLF. */
function requestText(path: string, version: string, extra: string): string {
  return `GET ${path} HTTP/${version}\r\nHost: 127.0.0.1\r\n${extra}\r\n`;
}

/** Returns the header pairs without the ones that change per response. */
function stablePairs(response: WholeResponse): [string, string][] {
  return response.headers.filter(
    ([name]) =>
      !/^(date|x-request-id|x-ratelimit-remaining|x-ratelimit-reset)$/i.test(
        name,
      ),
  );
}

/**
 * Writes `text` on a new connection, reads until the server closes it or
 * `waitMs` passes, and returns what came back without the per-response lines.
 */
async function exchangeOnSocket(
  api: TestApp,
  text: string,
  waitMs: number,
): Promise<string> {
  const socket = connect(Number(new URL(api.baseUrl).port), '127.0.0.1');
  let received = '';
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => {
    received += chunk;
  });
  const closed = new Promise((resolve) => socket.once('close', resolve));
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(text);
  await Promise.race([closed, sleep(waitMs)]);
  socket.destroy();

  return received.replace(PER_RESPONSE_LINE, '');
}

/**
 * Sends one request that the fast path writes directly and one that takes
 * the pipeline, and checks that they match on the wire.
 */
async function expectDirectLikePipeline(
  api: TestApp,
  headers: Record<string, string>,
  label: string,
): Promise<void> {
  const writesBefore = vi.mocked(writeSent).mock.calls.length;
  const direct = await getOnWire(api, CRYPTO, headers);
  const pipeline = await getOnWire(api, CRYPTO_PIPELINE, headers);

  expect(vi.mocked(writeSent).mock.calls.length, label).toBe(writesBefore + 1);
  expect(direct.status, label).toBe(200);
  expect(direct.body, label).toBe(pipeline.body);
  expect(stablePairs(direct), label).toEqual(stablePairs(pipeline));
}

describe('the direct write of a kept response', () => {
  let api: TestApp;

  beforeEach(() => {
    vi.mocked(writeSent).mockClear();
  });

  afterEach(async () => {
    await api.close();
  });

  it('keeps the pipeline’s wire order', async () => {
    api = await startTestApp({
      env: {
        CORS_ORIGINS: 'https://a.example,https://b.example',
        RATE_LIMIT_REQUESTS: '1000',
        RATE_LIMIT_WINDOW: '3600',
      },
    });
    const cases: [string, Record<string, string>][] = [
      ['allowed origin', { origin: 'https://b.example' }],
      ['other origin', { origin: 'https://evil.example' }],
      ['no origin', {}],
    ];

    for (const [label, headers] of cases) {
      // A MISS or a pipeline HIT, then a fast hit that goes through the hooks.
      await getOnWire(api, CRYPTO, headers);
      await getOnWire(api, CRYPTO, headers);
      await expectDirectLikePipeline(api, headers, label);
    }
  });

  it('keeps wire order across tiers', async () => {
    const secret = newSecret();
    api = await startTestApp({
      env: {
        CORS_ORIGINS: 'https://a.example',
        JWT_SECRET: secret,
        RATE_LIMIT_REQUESTS: '1000',
        RATE_LIMIT_TIERS: 'free:100,pro:0',
        RATE_LIMIT_WINDOW: '3600',
      },
    });
    const headersOf = async (tier: string) => ({
      authorization: `Bearer ${await signHs256(secret, {
        scope: 'quotes:read',
        tier,
        subject: `${tier}-direct`,
      })}`,
      origin: 'https://a.example',
    });
    const free = await headersOf('free');
    const pro = await headersOf('pro');
    // The free tier's fast hit records the headers that pro hits reuse.
    await getOnWire(api, CRYPTO, free);
    await getOnWire(api, CRYPTO, free);
    await getOnWire(api, CRYPTO, pro);
    const cases: [string, Record<string, string>][] = [
      ['pro', pro],
      ['free', free],
    ];

    for (const [label, headers] of cases) {
      await expectDirectLikePipeline(api, headers, label);
    }
  });

  it('matches the pipeline byte for byte', async () => {
    api = await startTestApp({
      env: { RATE_LIMIT_REQUESTS: '1000', RATE_LIMIT_WINDOW: '3600' },
    });
    const cases: [string, string, string][] = [
      ['keep-alive', '1.1', ''],
      ['connection close', '1.1', 'Connection: close\r\n'],
      ['HTTP/1.0', '1.0', ''],
    ];

    for (const [label, version, extra] of cases) {
      await exchangeOnSocket(api, requestText(CRYPTO, version, extra), 500);
      await exchangeOnSocket(api, requestText(CRYPTO, version, extra), 500);
      const writesBefore = vi.mocked(writeSent).mock.calls.length;
      const direct = await exchangeOnSocket(
        api,
        requestText(CRYPTO, version, extra),
        500,
      );
      const pipeline = await exchangeOnSocket(
        api,
        requestText(CRYPTO_PIPELINE, version, extra),
        500,
      );

      expect(vi.mocked(writeSent).mock.calls.length, label).toBe(
        writesBefore + 1,
      );
      expect(direct, label).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      expect(direct, label).toBe(pipeline);
    }
  });

  it('leaves every revalidation to the hooks', async () => {
    api = await startTestApp({ env: { RATE_LIMIT_REQUESTS: '0' } });
    await (await api.request(CRYPTO)).arrayBuffer();
    const throughHooks = await readWhole(await api.request(CRYPTO));
    const etag = headerOf(throughHooks, 'etag') ?? '';
    const cases: [string, number][] = [
      [etag, 304],
      [`W/${etag}`, 304],
      ['"other"', 200],
      ['*', 200],
    ];

    for (const [ifNoneMatch, status] of cases) {
      const init = { headers: { 'if-none-match': ifNoneMatch } };
      const writesBefore = vi.mocked(writeSent).mock.calls.length;
      const fast = await readWhole(await api.request(CRYPTO, init));
      const pipeline = await readWhole(
        await api.request(CRYPTO_PIPELINE, init),
      );

      expect(vi.mocked(writeSent).mock.calls.length, ifNoneMatch).toBe(
        writesBefore,
      );
      expect(fast.status, ifNoneMatch).toBe(status);
      expect(pipeline.status, ifNoneMatch).toBe(status);
      expect(fast.body, ifNoneMatch).toBe(pipeline.body);
    }
  });

  it('survives clients that disconnect early', async () => {
    api = await startTestApp({ env: { RATE_LIMIT_REQUESTS: '0' } });
    const first = await readWhole(await api.request(CRYPTO));
    await (await api.request(CRYPTO)).arrayBuffer();
    const port = Number(new URL(api.baseUrl).port);

    // Each client closes before or while its response is written.
    for (let i = 0; i < 100; i++) {
      const socket = connect(port, '127.0.0.1');
      await new Promise((resolve) => socket.once('connect', resolve));
      socket.write(
        `GET ${CRYPTO} HTTP/1.1\r\nHost: 127.0.0.1\r\naccept-encoding: gzip, deflate\r\n\r\n`,
      );
      if (i % 2 === 0) socket.destroy();
      else setImmediate(() => socket.destroy());
    }
    await sleep(200);
    const writesBefore = vi.mocked(writeSent).mock.calls.length;
    const after = await readWhole(await api.request(CRYPTO));

    expect(vi.mocked(writeSent).mock.calls.length).toBe(writesBefore + 1);
    expect(after.status).toBe(200);
    expect(headerOf(after, 'x-cache')).toBe('HIT');
    expect(after.body).toBe(first.body);
  });
});
