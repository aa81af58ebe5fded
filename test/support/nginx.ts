import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ROOT } from './build.js';

/** Debian's nginx (package nginx-light), which `.ci/run` installs. */
export const NGINX_PATH = process.env.NGINX_PATH ?? '/usr/sbin/nginx';

/** The nginx configuration of the docker-compose stack. */
export const NGINX_CONF_PATH = path.join(ROOT, 'docker/nginx.conf');

/** Maximum wait for nginx to accept connections after it starts, in ms. */
const START_TIMEOUT_MS = 5000;
/** Characters of nginx's standard error kept for failure messages. */
const MAX_LOG_CHARS = 20_000;

export interface LoopbackTargets {
  /** Port of 127.0.0.1 that nginx listens on. */
  listenPort: number;
  /** API port of each instance on 127.0.0.1. */
  apiPorts: number[];
  /** Streaming port of each instance on 127.0.0.1. */
  streamPorts: number[];
}

/**
 * Replaces the one line of `text` that starts with `prefix` (after
 * indentation) by one line per replacement, keeping what follows `prefix`
 * (such as `max_fails=1`). Throws when the line is missing or repeated.
 */
function replaceLine(
  text: string,
  prefix: string,
  replacements: string[],
): string {
  const pattern = new RegExp(
    `^([ \\t]*)${prefix.replaceAll('.', '\\.')}([^;\\n]*);$`,
    'gm',
  );
  const found = text.match(pattern) ?? [];
  if (found.length !== 1)
    throw new Error(
      `expected one "${prefix}" line in nginx.conf, found ${found.length}`,
    );

  return text.replace(pattern, (_line, indent: string, rest: string) =>
    replacements
      .map((replacement) => `${indent}${replacement}${rest};`)
      .join('\n'),
  );
}

/**
 * Rewrites docker/nginx.conf for instances on 127.0.0.1, by the
 * substitution its header documents: `listen 80;` becomes the loopback
 * port, and each `server api:<port>` line one line per instance.
 */
export function loopbackNginxConf(text: string, targets: LoopbackTargets) {
  let conf = replaceLine(text, 'listen 80', [
    `listen 127.0.0.1:${targets.listenPort}`,
  ]);
  conf = replaceLine(
    conf,
    'server api:8000',
    targets.apiPorts.map((port) => `server 127.0.0.1:${port}`),
  );

  return replaceLine(
    conf,
    'server api:8001',
    targets.streamPorts.map((port) => `server 127.0.0.1:${port}`),
  );
}

/**
 * Writes `conf` as nginx.conf into a new temporary folder, the prefix that
 * contains everything nginx writes. The folder is world-readable because
 * nginx's worker processes run as `nobody` when the master runs as root.
 */
export function nginxPrefix(conf: string): string {
  const prefix = mkdtempSync(path.join(tmpdir(), 'nginx-'));
  chmodSync(prefix, 0o755);
  writeFileSync(path.join(prefix, 'nginx.conf'), conf);

  return prefix;
}

/** Runs `nginx -t` on the nginx.conf of `prefix`; returns its exit status and output. */
export function testNginxConf(prefix: string): {
  status: number | null;
  output: string;
} {
  const result = spawnSync(
    NGINX_PATH,
    ['-t', '-p', `${prefix}/`, '-c', path.join(prefix, 'nginx.conf')],
    // nginx opens /dev/stdout for the access log, which fails when standard
    // output is a socket, as Node's pipes are; nginx -t reports on standard error.
    {
      encoding: 'utf8',
      timeout: 10_000,
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );

  return { status: result.status, output: result.stderr };
}

export interface RunningNginx {
  pid: number;
  /** http://127.0.0.1:<listen port> */
  url: string;
  /** What nginx wrote to standard error so far. */
  log(): string;
  /** Stops nginx (SIGTERM to the master, whose workers exit with it) and deletes its prefix. */
  stop(): Promise<void>;
}

/** Returns true once a TCP connection to `port` of 127.0.0.1 opens. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Starts nginx in the foreground (`daemon off`) as a child of the test on
 * the given configuration, and waits until it accepts connections.
 */
export async function startNginx(
  conf: string,
  listenPort: number,
): Promise<RunningNginx> {
  const prefix = nginxPrefix(conf);
  const child: ChildProcess = spawn(
    NGINX_PATH,
    [
      '-p',
      `${prefix}/`,
      '-c',
      path.join(prefix, 'nginx.conf'),
      '-g',
      'daemon off;',
    ],
    // The access log goes to /dev/stdout, which nginx cannot open on a
    // socket (Node's pipes are sockets), so it is /dev/null here.
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-MAX_LOG_CHARS);
  });
  const exited = once(child, 'exit');
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(prefix, { recursive: true, force: true });
  };

  const until = Date.now() + START_TIMEOUT_MS;
  while (!(await accepts(listenPort))) {
    if (child.exitCode !== null || Date.now() > until) {
      await stop();
      throw new Error(
        `nginx did not accept connections on port ${listenPort}: ${stderr}`,
      );
    }
    await sleep(25);
  }
  if (child.pid === undefined) throw new Error('nginx has no process id');

  return {
    pid: child.pid,
    url: `http://127.0.0.1:${listenPort}`,
    log: () => stderr,
    stop,
  };
}
