import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { createClient } from 'redis';
import { describe, it } from 'vitest';

/**
 * The Redis the tests share (`.ci/run` starts one when none responds). Tests
 * that stop or pause Redis never use it: they start their own server.
 */
export const TEST_REDIS_URL =
  process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Debian's redis-server, for tests that stop, pause or restart Redis. */
export const REDIS_SERVER_PATH =
  process.env.REDIS_SERVER_PATH ?? '/usr/bin/redis-server';

/** Returns true when a Redis at `url` responds to PING within a second. */
export async function redisAnswers(url: string): Promise<boolean> {
  const client = createClient({
    url,
    socket: { connectTimeout: 1000, reconnectStrategy: false },
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    if (client.isOpen) await client.close();
  }
}

const sharedRedisUp = await redisAnswers(TEST_REDIS_URL);

/**
 * Declares a describe block that needs the shared Redis. Without one it is
 * skipped with the reason in its name, except under CI=true, where a
 * missing Redis fails the run.
 */
export function describeWithRedis(name: string, body: () => void): void {
  if (sharedRedisUp) {
    describe(name, body);
    return;
  }
  const reason = `no Redis responds at ${TEST_REDIS_URL}; start one (redis-server) or set TEST_REDIS_URL`;
  if (process.env.CI === 'true')
    throw new Error(`${reason} (CI=true requires it)`);
  console.warn(`Skipping "${name}": ${reason}`);
  it.skip(`${name} (skipped: ${reason})`, () => undefined);
}

/** A redis-server this test started, on its own port of 127.0.0.1. */
export interface OwnRedis {
  url: string;
  port: number;
  /** Stops the server (SIGTERM) and waits for it to exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty. */
  start(): Promise<void>;
  /** Freezes the process (SIGSTOP): connections stay open, nothing responds. */
  pause(): void;
  resume(): void;
}

/** Starts a redis-server without persistence on a free port of 127.0.0.1. */
export async function startOwnRedis(): Promise<OwnRedis> {
  if (!existsSync(REDIS_SERVER_PATH))
    throw new Error(`redis-server not found at ${REDIS_SERVER_PATH}`);
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;

  const start = async () => {
    child = spawn(
      REDIS_SERVER_PATH,
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
      ],
      { stdio: 'ignore' },
    );
    const started = Date.now();
    while (!(await redisAnswers(url))) {
      if (Date.now() - started > 5000)
        throw new Error(`redis-server did not respond on port ${port}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const signal = (name: NodeJS.Signals) => {
    if (child?.pid) process.kill(child.pid, name);
  };
  const stop = async () => {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    if (running.pid) process.kill(running.pid, 'SIGCONT');
    running.kill('SIGTERM');
    await exited;
  };
  await start();

  return {
    url,
    port,
    stop,
    start,
    pause: () => signal('SIGSTOP'),
    resume: () => signal('SIGCONT'),
  };
}

/** Returns a TCP port of 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string')
    throw new Error('could not find a free port');

  return address.port;
}

/** Opens a client for a test's own checks; close it with `close()`. */
export async function redisClient(url: string) {
  const client = createClient({ url });
  client.on('error', () => undefined);
  await client.connect();

  return client;
}

/** Deletes the keys a test wrote under `prefix` on a shared Redis. */
export async function deleteKeys(url: string, prefix: string): Promise<void> {
  const client = await redisClient(url);
  try {
    for await (const keys of client.scanIterator({
      MATCH: `${prefix}:*`,
      COUNT: 500,
    })) {
      if (keys.length > 0) await client.del(keys);
    }
  } finally {
    await client.close();
  }
}
