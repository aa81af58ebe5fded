import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildService, ROOT } from './support/build.js';
import {
  startFakeUpstream,
  type FakeUpstream,
} from './support/fake-upstream.js';
import {
  deleteKeys,
  describeWithRedis,
  TEST_REDIS_URL,
} from './support/redis.js';
import { openWs, type WsTestClient } from './support/streaming.js';

const outDir = path.join(ROOT, 'dist-test', 'shutdown');
const PREFIX = `mda-shutdown-${process.pid}`;
/** Time the fake upstream takes for each call, which makes every quote request slow. */
const UPSTREAM_DELAY_MS = 2500;
/** Fewer than the 16 connections the upstream client opens per source, so all run at once. */
const SLOW_REQUESTS = 12;
const WAIT_MS = 20_000;

interface LogLine {
  level: string;
  msg: string;
  reqId?: string;
  context?: string;
  route?: string;
  status?: number;
  [field: string]: unknown;
}

/** Sends a GET on a new TCP connection, so that no pooled connection hides a closed listener. */
function freshGet(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { agent: false, headers }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, body }),
      );
    });
    request.on('error', reject);
    request.end();
  });
}

function lines(text: string): string[] {
  return text.split('\n').filter((line) => line.trim() !== '');
}

async function waitFor<T>(read: () => T | undefined, what: string): Promise<T> {
  const until = Date.now() + WAIT_MS;
  while (Date.now() < until) {
    const value = read();
    if (value !== undefined) return value;
    await sleep(25);
  }
  throw new Error(`timed out waiting for ${what}`);
}

describeWithRedis('graceful shutdown and JSON logs', () => {
  let upstream: FakeUpstream;
  let child: ChildProcess;
  let workDir: string;
  let stdout = '';
  let stderr = '';
  let exitCode: number | null = null;
  let ws: WsTestClient;
  const slow: Promise<{ id: string; status: number }>[] = [];
  const checks: {
    readyDuringDrain?: number;
    liveDuringDrain?: number;
    refusedAfterDrain?: string;
    finishedBeforeRefusal?: number;
  } = {};
  let finished = 0;

  const parsed = () => lines(stdout).map((line) => JSON.parse(line) as LogLine);

  beforeAll(async () => {
    buildService(outDir);
    upstream = await startFakeUpstream([
      () => ({ status: 503, body: '{}', delayMs: UPSTREAM_DELAY_MS }),
    ]);
    workDir = mkdtempSync(path.join(tmpdir(), 'market-data-shutdown-'));
    child = spawn(process.execPath, [path.join(outDir, 'main.js')], {
      cwd: workDir,
      env: {
        PATH: process.env.PATH ?? '',
        API_PORT: '0',
        WS_PORT: '0',
        LOG_LEVEL: 'debug',
        LOG_FILE: path.join(workDir, 'logs', 'api.log'),
        SHUTDOWN_DRAIN_DELAY: '1',
        REDIS_URL: TEST_REDIS_URL,
        CACHE_KEY_PREFIX: PREFIX,
        CACHE_TTL_QUOTE: '0',
        POLYGON_KEY: 'shutdown-test-key',
        POLYGON_BASE_URL: upstream.baseUrl,
        QUOTE_PROVIDERS: 'polygon,simulated',
        POLYGON_QUOTA_PER_MINUTE: '0',
        UPSTREAM_RETRIES: '0',
      },
    });
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = once(child, 'exit').then(([code]) => {
      exitCode = code as number | null;
    });

    const apiUrl = await waitFor(
      () => /Listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1],
      'the service to listen',
    );
    // API_PORT and WS_PORT are both 0, so the streams share the API's port.
    ws = await openWs(`${apiUrl.replace('http:', 'ws:')}/ws`);

    for (let index = 0; index < SLOW_REQUESTS; index += 1) {
      const id = `slow-${index}`;
      slow.push(
        freshGet(`${apiUrl}/api/quotes/AAPL`, { 'x-request-id': id }).then(
          ({ status }) => {
            finished += 1;
            return { id, status };
          },
        ),
      );
    }
    await waitFor(
      () => (upstream.calls.length >= SLOW_REQUESTS ? true : undefined),
      'every slow request to reach the upstream',
    );

    child.kill('SIGTERM');
    await sleep(300);
    checks.readyDuringDrain = (await freshGet(`${apiUrl}/health/ready`)).status;
    checks.liveDuringDrain = (await freshGet(`${apiUrl}/health/live`)).status;
    // After the drain delay the listener closes while the slow requests run on.
    const until = Date.now() + WAIT_MS;
    while (Date.now() < until && checks.refusedAfterDrain === undefined) {
      await sleep(50);
      checks.finishedBeforeRefusal = finished;
      try {
        await freshGet(`${apiUrl}/health/live`);
      } catch (error) {
        // A connection accepted just before the listener closed is reset.
        const code = (error as { code?: string }).code;
        if (code !== 'ECONNRESET') checks.refusedAfterDrain = code;
      }
    }
    await Promise.race([exited, sleep(WAIT_MS)]);
  }, 120_000);

  afterAll(async () => {
    if (child?.exitCode === null) child.kill('SIGKILL');
    await upstream?.close();
    await deleteKeys(TEST_REDIS_URL, PREFIX);
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it('fails readiness but serves during the drain delay', () => {
    expect(checks.readyDuringDrain).toBe(503);
    expect(checks.liveDuringDrain).toBe(200);
  });

  it('refuses new connections before the slow requests end', () => {
    expect(checks.refusedAfterDrain).toBe('ECONNREFUSED');
    expect(checks.finishedBeforeRefusal).toBe(0);
  });

  it('loses none of the slow requests', async () => {
    const results = await Promise.all(slow);
    expect(results).toHaveLength(SLOW_REQUESTS);
    expect(results.filter((result) => result.status !== 200)).toEqual([]);
  });

  it('tells streaming clients it is going away', async () => {
    const status = await ws.inbox.next(
      (message) => message.type === 'status',
      'a status message',
    );
    expect(status.code).toBe('going_away');
    expect((await ws.closed).code).toBe(1001);
  });

  it('exits with code 0', () => {
    expect(exitCode).toBe(0);
  });

  it('writes only JSON lines', () => {
    expect(stderr).toBe('');
    for (const line of lines(stdout))
      expect(() => JSON.parse(line) as unknown, line).not.toThrow();
  });

  it('puts the request id on every line of a request', () => {
    const log = parsed();
    const completed = log.filter((line) => line.msg === 'request completed');
    const slowIds = new Set(
      Array.from({ length: SLOW_REQUESTS }, (_, index) => `slow-${index}`),
    );
    const slowLines = completed.filter((line) => slowIds.has(line.reqId ?? ''));
    expect(slowLines).toHaveLength(SLOW_REQUESTS);
    for (const line of slowLines) {
      expect(line.route).toBe('/api/quotes/:symbol');
      expect(line.status).toBe(200);
      expect(line.responseTimeMs).toBeGreaterThan(UPSTREAM_DELAY_MS - 500);
    }
    expect(completed.every((line) => typeof line.reqId === 'string')).toBe(
      true,
    );

    // Nest's Logger writes the first failover line inside a request.
    const failover = log.find((line) => line.context === 'FailoverService');
    expect(slowIds.has(failover?.reqId ?? '')).toBe(true);
  });

  it('summarizes repeated upstream errors', () => {
    const failover = parsed().filter(
      (line) => line.context === 'FailoverService',
    );
    // The first failure is logged at once, the others in one summary at shutdown.
    expect(failover).toHaveLength(2);
    expect(failover[1]?.msg).toMatch(
      new RegExp(`^${SLOW_REQUESTS - 1} more like this`),
    );
  });

  it('logs start-up and each shutdown step', () => {
    const messages = parsed().map((line) => line.msg);
    expect(messages.some((msg) => msg.startsWith('Listening on'))).toBe(true);
    expect(messages.some((msg) => msg.startsWith('SIGTERM received'))).toBe(
      true,
    );
    expect(messages.some((msg) => msg.startsWith('Closing the listener'))).toBe(
      true,
    );
    expect(messages.at(-1)).toBe('Shutdown complete');
  });

  it('copies every line to LOG_FILE', () => {
    const file = readFileSync(path.join(workDir, 'logs', 'api.log'), 'utf8');
    expect(lines(file)).toEqual(lines(stdout));
  });

  it('keeps the upstream key out of the logs', () => {
    expect(stdout).not.toContain('shutdown-test-key');
  });
});
