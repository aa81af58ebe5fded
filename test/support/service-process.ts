import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './redis.js';

/** Maximum wait for a service process to return 200 on /health/live, in ms. */
const START_TIMEOUT_MS = 20_000;
/** Maximum wait for a stopped service process to exit before SIGKILL, in ms. */
const STOP_TIMEOUT_MS = 10_000;
/** Characters of the process's output kept for failure messages. */
const MAX_OUTPUT_CHARS = 20_000;

/** One `node <build>/main.js` child process on its own ports of 127.0.0.1. */
export interface ServiceProcess {
  pid: number;
  apiPort: number;
  streamPort: number;
  /** http://127.0.0.1:<API port> */
  apiUrl: string;
  /** Resolves with the exit code (null after a signal) once the process exited. */
  exited: Promise<number | null>;
  /** Standard output and error so far. */
  output(): string;
  /**
   * Sends `signal` (SIGINT by default, which skips the drain delay) and
   * waits for the exit, with SIGKILL after 10 s.
   */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts the built service (`node <mainJs>`) with only `env` and PATH as
 * its environment, on free API and streaming ports of 127.0.0.1, in an
 * empty working directory so that no `.env` of the checkout applies.
 * Resolves once GET /health/live returns 200.
 */
export async function startServiceProcess(
  mainJs: string,
  env: Record<string, string>,
): Promise<ServiceProcess> {
  const apiPort = await freePort();
  const streamPort = await freePort();
  const cwd = mkdtempSync(path.join(tmpdir(), 'market-data-process-'));
  const child: ChildProcess = spawn(process.execPath, [mainJs], {
    cwd,
    env: {
      PATH: process.env.PATH ?? '',
      API_HOST: '127.0.0.1',
      API_PORT: String(apiPort),
      WS_PORT: String(streamPort),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const record = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-MAX_OUTPUT_CHARS);
  };
  child.stdout?.on('data', record);
  child.stderr?.on('data', record);
  const exited = once(child, 'exit').then(([code]) => {
    rmSync(cwd, { recursive: true, force: true });
    return code as number | null;
  });

  const stop = async (signal: NodeJS.Signals = 'SIGINT') => {
    if (child.exitCode !== null || child.signalCode !== null) return exited;
    child.kill(signal);
    const killer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    try {
      return await exited;
    } finally {
      clearTimeout(killer);
    }
  };

  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const until = Date.now() + START_TIMEOUT_MS;
  while (!(await answersLive(apiUrl))) {
    if (child.exitCode !== null || Date.now() > until) {
      await stop('SIGKILL');
      throw new Error(
        `the service on port ${apiPort} did not become live: ${output}`,
      );
    }
    await sleep(50);
  }
  if (child.pid === undefined) throw new Error('the service has no process id');

  return {
    pid: child.pid,
    apiPort,
    streamPort,
    apiUrl,
    exited,
    output: () => output,
    stop,
  };
}

async function answersLive(apiUrl: string): Promise<boolean> {
  try {
    const response = await fetch(`${apiUrl}/health/live`, {
      signal: AbortSignal.timeout(1000),
    });
    return response.status === 200;
  } catch {
    return false;
  }
}

/**
 * Sums the samples of counter or gauge `name` in a Prometheus text
 * exposition whose labels include every pair of `labels`.
 */
export function sumSamples(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number {
  let total = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const pairs = new Map(
      [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map(
        (pair) => [pair[1], pair[2]],
      ),
    );
    const matches = Object.entries(labels).every(
      ([key, value]) => pairs.get(key) === value,
    );
    if (matches) total += Number(match[3]);
  }

  return total;
}
