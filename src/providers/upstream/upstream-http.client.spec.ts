import { describe, expect, it, vi } from 'vitest';
import {
  startFakeUpstream,
  useFakeUpstream,
} from '../../../test/support/fake-upstream.js';
import { withDeadline } from '../../common/request-deadline.js';
import { SourceQuota } from './source-quota.js';
import {
  UpstreamHttpClient,
  type UpstreamClientOptions,
} from './upstream-http.client.js';
import { UpstreamError } from './upstream.errors.js';

const SECRET = 'sk-live-7f3a9c';

const upstream = useFakeUpstream();

function client(
  options: Partial<UpstreamClientOptions> = {},
): UpstreamHttpClient {
  return new UpstreamHttpClient({
    source: 'polygon',
    baseUrl: upstream().baseUrl,
    secrets: [SECRET],
    timeoutMs: 500,
    retries: 2,
    breakerFailures: 3,
    breakerCooldownMs: 200,
    ...options,
  });
}

const text = (response: { body: string }) => response.body;

async function failure(promise: Promise<unknown>): Promise<UpstreamError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(UpstreamError);

  return error as UpstreamError;
}

describe('UpstreamHttpClient requests', () => {
  it('sends the path and query', async () => {
    upstream().setRoutes([() => ({ body: 'ok' })]);
    const body = await client().call(
      {
        path: '/v1/x',
        query: { symbol: 'BRK.B', skip: undefined },
        symbol: 'BRK.B',
      },
      text,
    );
    expect(body).toBe('ok');
    expect(upstream().calls[0]?.path).toBe('/v1/x');
    expect(upstream().calls[0]?.query).toEqual({ symbol: 'BRK.B' });
  });

  it('hands 4xx responses to the parser', async () => {
    upstream().setRoutes([() => ({ status: 404, body: 'missing' })]);
    const status = await client().call(
      { path: '/x', symbol: 'A' },
      (response) => response.status,
    );
    expect(status).toBe(404);
    expect(upstream().calls).toHaveLength(1);
  });

  it('calls another origin on request', async () => {
    const other = await startFakeUpstream([() => ({ body: 'other' })]);
    try {
      const body = await client().call(
        { path: '/consent', baseUrl: other.baseUrl, symbol: 'A' },
        text,
      );
      expect(body).toBe('other');
      expect(other.calls[0]?.path).toBe('/consent');
      expect(upstream().calls).toHaveLength(0);
    } finally {
      await other.close();
    }
  });
});

describe('UpstreamHttpClient retries', () => {
  it('retries a 5xx and then succeeds', async () => {
    let count = 0;
    upstream().setRoutes([
      () => (++count < 3 ? { status: 503 } : { body: 'third time' }),
    ]);
    expect(await client().call({ path: '/x', symbol: 'A' }, text)).toBe(
      'third time',
    );
    expect(upstream().calls).toHaveLength(3);
  });

  it('gives up as unavailable after the retries', async () => {
    upstream().setRoutes([() => ({ status: 502 })]);
    const error = await failure(
      client().call({ path: '/x', symbol: 'A' }, text),
    );
    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(upstream().calls).toHaveLength(3);
  });

  it('does not retry a notice the parser raises', async () => {
    upstream().setRoutes([() => ({ body: '{"Information":"something new"}' })]);
    const noisy = client();
    const parse = () => {
      throw noisy.error('UPSTREAM_UNAVAILABLE', 'unrecognized notice', 'A');
    };
    await failure(noisy.call({ path: '/x', symbol: 'A' }, parse));
    expect(upstream().calls).toHaveLength(1);
  });

  it('fails over on a slow answer', async () => {
    upstream().setRoutes([() => ({ delayMs: 1500, body: 'late' })]);
    const error = await failure(
      client({ retries: 0 }).call({ path: '/x', symbol: 'A' }, text),
    );
    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(error.detail).toContain('did not answer within 500 ms');
  });

  it('reports the deadline as a timeout', async () => {
    upstream().setRoutes([() => ({ delayMs: 1500, body: 'late' })]);
    const call = withDeadline(200, () =>
      client({ retries: 0 }).call({ path: '/x', symbol: 'A' }, text),
    );
    expect((await failure(call)).code).toBe('UPSTREAM_TIMEOUT');
  });

  it('reports a dropped connection as unavailable', async () => {
    upstream().setRoutes([() => ({ hangUp: true })]);
    const error = await failure(
      client({ retries: 0 }).call({ path: '/x', symbol: 'A' }, text),
    );
    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
  });
});

describe('UpstreamHttpClient rate limits', () => {
  it('waits out a Retry-After that fits the deadline', async () => {
    let count = 0;
    upstream().setRoutes([
      () =>
        ++count === 1
          ? { status: 429, headers: { 'retry-after': '1' } }
          : { body: 'after wait' },
    ]);
    const call = withDeadline(5000, () =>
      client().call({ path: '/x', symbol: 'A' }, text),
    );
    expect(await call).toBe('after wait');
    expect(upstream().calls).toHaveLength(2);
  });

  it('fails over when Retry-After does not fit', async () => {
    upstream().setRoutes([
      () => ({ status: 429, headers: { 'retry-after': '60' } }),
    ]);
    const error = await failure(
      withDeadline(3000, () =>
        client().call({ path: '/x', symbol: 'A' }, text),
      ),
    );
    expect(error.code).toBe('UPSTREAM_RATE_LIMITED');
    expect(error.retryAfterMs).toBe(60_000);
    expect(upstream().calls).toHaveLength(1);
  });

  it('fails over on a 429 without Retry-After', async () => {
    upstream().setRoutes([() => ({ status: 429 })]);
    expect(
      (await failure(client().call({ path: '/x', symbol: 'A' }, text))).code,
    ).toBe('UPSTREAM_RATE_LIMITED');
  });
});

describe('UpstreamHttpClient circuit breaker', () => {
  it('opens after repeated failures and skips calls', async () => {
    upstream().setRoutes([() => ({ status: 500 })]);
    const breaking = client({ retries: 0 });
    for (let i = 0; i < 3; i += 1)
      await failure(breaking.call({ path: '/x', symbol: 'A' }, text));
    const skipped = await failure(
      breaking.call({ path: '/x', symbol: 'A' }, text),
    );
    expect(skipped.detail).toContain('circuit open');
    expect(upstream().calls).toHaveLength(3);
    expect(breaking.state().circuit).toBe('open');
  });

  it('closes again after a good probe', async () => {
    upstream().setRoutes([() => ({ status: 500 })]);
    const breaking = client({ retries: 0 });
    for (let i = 0; i < 3; i += 1)
      await failure(breaking.call({ path: '/x', symbol: 'A' }, text));
    upstream().setRoutes([() => ({ body: 'healthy' })]);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(await breaking.call({ path: '/x', symbol: 'A' }, text)).toBe(
      'healthy',
    );
    expect(breaking.state().circuit).toBe('closed');
  });

  it('counts malformed answers against the circuit', async () => {
    upstream().setRoutes([() => ({ body: '<html>' })]);
    const breaking = client({ retries: 0 });
    const parse = () => {
      throw breaking.error('UPSTREAM_MALFORMED', 'not JSON', 'A');
    };
    for (let i = 0; i < 3; i += 1)
      await failure(breaking.call({ path: '/x', symbol: 'A' }, parse));
    expect(breaking.state().circuit).toBe('open');
  });

  it('does not count not-found answers', async () => {
    upstream().setRoutes([() => ({ status: 404 })]);
    const breaking = client({ retries: 0 });
    const parse = () => {
      throw breaking.error('SYMBOL_NOT_FOUND', 'unknown', 'A');
    };
    for (let i = 0; i < 5; i += 1)
      await failure(breaking.call({ path: '/x', symbol: 'A' }, parse));
    expect(breaking.state().circuit).toBe('closed');
  });
});

describe('UpstreamHttpClient quota and secrets', () => {
  it('sends nothing once the quota is used', async () => {
    upstream().setRoutes([() => ({ body: 'ok' })]);
    const quota = new SourceQuota(
      'polygon',
      SECRET,
      { perSecond: 0, perMinute: 2, perDay: 0 },
      null,
    );
    const limited = client({ quota });
    await limited.call({ path: '/x', symbol: 'A' }, text);
    await limited.call({ path: '/x', symbol: 'A' }, text);
    const error = await failure(
      limited.call({ path: '/x', symbol: 'A' }, text),
    );
    expect(error.code).toBe('QUOTA_EXHAUSTED');
    expect(upstream().calls).toHaveLength(2);
  });

  it('skips the quota on request', async () => {
    upstream().setRoutes([() => ({ body: 'ok' })]);
    const quota = new SourceQuota(
      'polygon',
      SECRET,
      { perSecond: 0, perMinute: 1, perDay: 0 },
      null,
    );
    const limited = client({ quota });
    await limited.call({ path: '/x', symbol: 'A', skipQuota: true }, text);
    await limited.call({ path: '/x', symbol: 'A' }, text);
    expect(upstream().calls).toHaveLength(2);
  });

  it('keeps the 5xx when the quota stops a retry', async () => {
    upstream().setRoutes([() => ({ status: 500 })]);
    const quota = new SourceQuota(
      'polygon',
      SECRET,
      { perSecond: 1, perMinute: 0, perDay: 0 },
      null,
    );
    const error = await failure(
      client({ quota }).call({ path: '/x', symbol: 'A' }, text),
    );
    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(error.detail).toContain('answered HTTP 500');
    expect(error.detail).toContain('A retry was skipped');
    expect(upstream().calls).toHaveLength(1);
  });

  it('scrubs secrets from error details', async () => {
    upstream().setRoutes([() => ({ status: 404 })]);
    const leaky = client();
    const parse = () => {
      throw leaky.error(
        'UPSTREAM_UNAUTHORIZED',
        `key ${SECRET} was rejected`,
        'A',
      );
    };
    const error = await failure(
      leaky.call({ path: '/x', query: { apikey: SECRET }, symbol: 'A' }, parse),
    );
    expect(error.detail).toBe('key *** was rejected');
  });

  it('logs no secret on unexpected failures', async () => {
    upstream().setRoutes([() => ({ body: 'ok' })]);
    const logged = vi
      .spyOn(console, 'error')
      .mockImplementation(() => undefined);
    const stdout = vi
      .spyOn(process.stdout, 'write')
      .mockImplementation(() => true);
    const stderr = vi
      .spyOn(process.stderr, 'write')
      .mockImplementation(() => true);
    const parse = () => {
      throw new Error(`boom with ${SECRET}`);
    };
    await failure(client().call({ path: '/x', symbol: 'A' }, parse));
    const output = [
      ...stdout.mock.calls,
      ...stderr.mock.calls,
      ...logged.mock.calls,
    ]
      .flat()
      .map(String)
      .join('\n');
    stdout.mockRestore();
    stderr.mockRestore();
    logged.mockRestore();
    expect(output).toContain('boom with ***');
    expect(output).not.toContain(SECRET);
  });

  it('rejects a body over the limit', async () => {
    upstream().setRoutes([() => ({ body: 'x'.repeat(2048) })]);
    const error = await failure(
      client({ maxBodyBytes: 1024 }).call({ path: '/x', symbol: 'A' }, text),
    );
    expect(error.code).toBe('UPSTREAM_MALFORMED');
  });
});
