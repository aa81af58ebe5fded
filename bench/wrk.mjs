// Runs wrk (https://github.com/wg/wrk, Debian package `wrk`) against one URL
// and reads its summary. wrk is written in C and needs a fraction of the CPU
// that autocannon needs per response, so on a two-core machine the server,
// not the load generator, limits the throughput measured.
import { spawn, spawnSync } from 'node:child_process';

/** Returns true when a wrk binary is on the PATH. */
export function wrkInstalled() {
  // wrk prints its version and usage, then exits with 1.
  const result = spawnSync('wrk', ['--version'], { encoding: 'utf8' });

  return result.error === undefined && /^wrk \S/m.test(result.stdout);
}

const UNITS_MS = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

/** Converts a wrk latency such as `812.00us` or `4.21ms` to milliseconds. */
function latencyMs(text) {
  const match = /^([\d.]+)(us|ms|s|m)$/.exec(text);
  if (!match) throw new Error(`wrk printed an unknown latency "${text}"`);

  return Number(match[1]) * UNITS_MS[match[2]];
}

/**
 * Loads `url` for `seconds` with `connections` connections on one wrk
 * thread, which inherits the calling process's CPU affinity. Resolves with
 * requests per second, the 99th percentile latency in ms, the request count
 * and the count of socket errors and responses other than 2xx or 3xx.
 */
export async function runWrk({ url, connections, seconds, headers }) {
  const args = [
    '-t1',
    `-c${connections}`,
    `-d${seconds}s`,
    '--latency',
    ...Object.entries(headers).flatMap(([name, value]) => [
      '-H',
      `${name}: ${value}`,
    ]),
    url,
  ];
  const output = await new Promise((resolve, reject) => {
    const child = spawn('wrk', args, {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let text = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => (text += chunk));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0
        ? resolve(text)
        : reject(new Error(`wrk exited with ${code}: ${text}`)),
    );
  });
  const find = (pattern) => {
    const match = pattern.exec(output);
    if (!match) throw new Error(`wrk output is missing ${pattern}: ${output}`);

    return match[1];
  };
  const socketErrors =
    /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(
      output,
    );

  return {
    rps: Number(find(/^Requests\/sec:\s+([\d.]+)/m)),
    p99: latencyMs(find(/^\s+99%\s+(\S+)/m)),
    total: Number(find(/^\s*(\d+) requests in/m)),
    errors: socketErrors
      ? socketErrors.slice(1).reduce((sum, count) => sum + Number(count), 0)
      : 0,
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1] ?? 0),
  };
}
