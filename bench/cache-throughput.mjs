// Measures cached-quote throughput, latency and server CPU per request in one
// run. The references are a bare Fastify route, a plain NestJS route and a
// route of the full application, all returning the same fixed JSON; against
// them is measured the quote route served from the memory tier and from Redis.
// The `auth` suite measures instead the quote route with JWT checks and rate
// limits on, counted in memory and in Redis, next to the bare Fastify route.
// Each variant runs in its own process pinned to one core, and the load
// generator on the other. The load generator is wrk when it is installed,
// else autocannon; `--client autocannon` picks autocannon. Prints each
// round, then the medians and the ratios the service is held to. Run with
// `npm run bench:cache` or `npm run bench:auth`; `-- --only plain,memory`
// measures a subset.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { createInterface } from 'node:readline';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { SignJWT } from 'jose';
import { createClient } from 'redis';
import { runWrk, wrkInstalled } from './wrk.mjs';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string' },
    suite: { type: 'string', default: 'cache' },
    rounds: { type: 'string', default: '6' },
    only: { type: 'string' },
    client: { type: 'string' },
  },
});
const duration = Number(values.duration);
const warmup = Number(values.warmup);
const suite = values.suite;
const connections = Number(values.connections ?? (suite === 'auth' ? 100 : 50));
const rounds = Number(values.rounds);
const client = values.client ?? (wrkInstalled() ? 'wrk' : 'autocannon');
if (client !== 'wrk' && client !== 'autocannon') {
  console.error(`unknown client "${client}"; use wrk or autocannon`);
  process.exit(2);
}
const SERVER_CORE = '0';
const CLIENT_CORE = '1';
const pinned = spawnSync('taskset', ['--version']).status === 0;
// autocannon runs in this process, and wrk in a child that inherits the
// pinning: on the other core, neither takes the server's core away from it.
if (pinned) spawnSync('taskset', ['-cp', CLIENT_CORE, String(process.pid)]);
const clockTicks = Number(
  spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout,
);

const QUOTE = '/api/quotes/AAPL';
const SUITES = {
  cache: [
    { name: 'fastify', path: '/bench/quote', label: 'bare Fastify route' },
    { name: 'plain', path: '/bench/quote', label: 'plain NestJS route' },
    { name: 'nest', path: '/bench/quote', label: 'service route, fixed JSON' },
    { name: 'memory', path: QUOTE, label: 'quote, memory tier' },
    { name: 'redis', path: QUOTE, label: 'quote, Redis tier only' },
  ],
  auth: [
    { name: 'fastify', path: '/bench/quote', label: 'bare Fastify route' },
    { name: 'secured', path: QUOTE, label: 'quote, JWT, memory limits' },
    { name: 'secured-redis', path: QUOTE, label: 'quote, JWT, Redis limits' },
  ],
};
if (!SUITES[suite]) {
  console.error(`unknown suite "${suite}"; use cache or auth`);
  process.exit(2);
}
const chosen = values.only?.split(',');
const VARIANTS = SUITES[suite].filter(
  (variant) => !chosen || chosen.includes(variant.name),
);

// The secured variants check HS256 tokens signed with a secret of this run.
const jwtSecret = randomBytes(32).toString('base64');
const token = await new SignJWT({ scope: 'quotes:read' })
  .setProtectedHeader({ alg: 'HS256' })
  .setSubject('bench')
  .setExpirationTime('1h')
  .sign(new TextEncoder().encode(jwtSecret));
const headers = { authorization: `Bearer ${token}` };

/** Starts one server variant and resolves with its process and base URL. */
async function startServer(variant, body) {
  const command = pinned ? 'taskset' : process.execPath;
  const args = [
    ...(pinned ? ['-c', SERVER_CORE, process.execPath] : []),
    'bench/cache-server.mjs',
    variant,
  ];
  const child = spawn(command, args, {
    env: { ...process.env, BODY: body, BENCH_JWT_SECRET: jwtSecret },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // Log lines may come first; the port comes on a line of its own.
  const lines = createInterface({ input: child.stdout });
  const portLine = await new Promise((resolve, reject) => {
    lines.on('line', (line) => {
      if (/^\{"port":\d+\}$/.test(line)) resolve(line);
    });
    child.once('exit', (code) =>
      reject(new Error(`${variant} server exited with ${code}`)),
    );
  });
  const { port } = JSON.parse(portLine);

  return { child, baseUrl: `http://127.0.0.1:${port}` };
}

async function stopServer(server) {
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  await exited;
}

/** Fetches the quote body every variant returns, and checks the cache serves it. */
async function referenceBody() {
  const server = await startServer('memory', '{}');
  try {
    const first = await fetch(`${server.baseUrl}/api/quotes/AAPL`);
    const body = await first.text();
    const second = await fetch(`${server.baseUrl}/api/quotes/AAPL`);
    if (second.headers.get('x-cache') !== 'HIT')
      throw new Error('the second quote request was not a cache hit');

    return body;
  } finally {
    await stopServer(server);
  }
}

/** CPU time a process has used so far in µs, read from /proc; null elsewhere. */
function cpuMicros(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // utime and stime are the 12th and 13th fields after the command name.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');

    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / clockTicks;
  } catch {
    return null;
  }
}

/** Loads `url` with the chosen client; resolves with its summary. */
async function generateLoad(url, seconds) {
  if (client === 'wrk') return runWrk({ url, connections, seconds, headers });
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    headers,
  });

  return {
    rps: result.requests.average,
    p99: result.latency.p99,
    total: result.requests.total,
    errors: result.errors,
    non2xx: result.non2xx,
  };
}

async function load(url, seconds, pid) {
  const before = cpuMicros(pid);
  const result = await generateLoad(url, seconds);
  const after = cpuMicros(pid);
  if (result.errors > 0 || result.non2xx > 0)
    throw new Error(
      `${url}: ${result.errors} errors, ${result.non2xx} non-2xx responses`,
    );
  const cpu =
    before === null || after === null || !clockTicks
      ? Number.NaN
      : (after - before) / result.total;

  return { rps: result.rps, p99: result.p99, cpu, total: result.total };
}

/** Redis GET commands served so far, from INFO commandstats. */
async function redisGets() {
  const client = createClient({
    url: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
  });
  await client.connect();
  try {
    const stats = await client.info('commandstats');
    const calls = /^cmdstat_get:calls=(\d+)/m.exec(stats);

    return Number(calls?.[1] ?? 0);
  } finally {
    client.destroy();
  }
}

/**
 * Starts a variant's server, checks its body against the reference and
 * returns it with the URL to load.
 */
async function startChecked(variant, body) {
  const server = await startServer(variant.name, body);
  const url = server.baseUrl + variant.path;
  const check = await fetch(url, { headers });
  const text = await check.text();
  // The simulated quote moves with time, so bodies match in shape and size.
  if (!sameShape(text, body)) {
    await stopServer(server);
    throw new Error(`${variant.name} returned an unexpected body: ${text}`);
  }

  return { variant, server, url };
}

async function assertCacheHit({ variant, url }) {
  if (variant.path.startsWith('/bench/')) return;
  const served = await fetch(url, { headers });
  await served.arrayBuffer();
  if (served.headers.get('x-cache') !== 'HIT')
    throw new Error(`${variant.name}: the quote was not served from the cache`);
}

/** Starts every variant's server, warms each up and checks it serves from the cache. */
async function startAll(variants, body) {
  const started = [];
  try {
    for (const variant of variants) {
      const running = await startChecked(variant, body);
      started.push(running);
      await load(running.url, warmup, running.server.child.pid);
      await assertCacheHit(running);
    }
  } catch (error) {
    await stopAll(started);
    throw error;
  }

  return started;
}

async function stopAll(started) {
  for (const { variant, server } of started) {
    await stopServer(server);
    if (variant.name.includes('redis')) await deleteKeysOf(server.child.pid);
  }
}

/** Loads one started variant for `duration` seconds and returns its figures. */
async function measure({ variant, server, url }) {
  if (!variant.name.includes('redis'))
    return load(url, duration, server.child.pid);
  // Concurrent requests for one key share a Redis read, so the count of
  // GETs per request is measured rather than assumed to be one.
  const getsBefore = await redisGets();
  const figures = await load(url, duration, server.child.pid);
  const gets = (await redisGets()) - getsBefore;

  return { ...figures, getsPerRequest: gets / figures.total };
}

/** Deletes the Redis keys a server wrote under its prefix, `bench-<pid>`. */
async function deleteKeysOf(pid) {
  const client = createClient({
    url: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
  });
  await client.connect();
  try {
    const match = `bench-${pid}:*`;
    for await (const keys of client.scanIterator({ MATCH: match })) {
      if (keys.length > 0) await client.del(keys);
    }
  } finally {
    client.destroy();
  }
}

function sameShape(text, reference) {
  const keys = (json) => Object.keys(JSON.parse(json)).join(',');

  return (
    keys(text) === keys(reference) &&
    Math.abs(text.length - reference.length) <= 8
  );
}

const median = (numbers) =>
  [...numbers].sort((a, b) => a - b)[Math.floor(numbers.length / 2)];
const fixed = (number, digits = 0) => number.toFixed(digits);

console.log(
  `${cpus()[0]?.model ?? 'unknown CPU'} x ${cpus().length}, node ${process.version}, ${client}, ${connections} connections, ${duration} s per variant and round after ${warmup} s warm-up, ${rounds} rounds, ${pinned ? `server pinned to core ${SERVER_CORE}, client to core ${CLIENT_CORE}` : 'not pinned (taskset missing)'}`,
);
const body = await referenceBody();
const results = Object.fromEntries(
  VARIANTS.map((variant) => [variant.name, []]),
);
// The servers run for the whole benchmark, each loaded in turn, and every
// round goes through them in the opposite order to the one before. The
// machine's speed drifts over minutes, so figures of one round are taken
// close together, and each ratio is the median of the ratios of the rounds.
const started = await startAll(VARIANTS, body);
try {
  for (let round = 1; round <= rounds; round += 1) {
    const order = round % 2 === 1 ? started : [...started].reverse();
    const measured = new Map();
    for (const running of order)
      measured.set(running.variant, await measure(running));
    for (const variant of VARIANTS) {
      const figures = measured.get(variant);
      results[variant.name].push(figures);
      const gets =
        figures.getsPerRequest === undefined
          ? ''
          : `  ${fixed(figures.getsPerRequest, 2)} Redis GETs/req`;
      console.log(
        `round ${round}  ${variant.label.padEnd(26)} ${fixed(figures.rps).padStart(7)} req/s  p99 ${fixed(figures.p99, 1)} ms  ${fixed(figures.cpu)} µs CPU/req${gets}`,
      );
    }
  }
} finally {
  await stopAll(started);
}

const medians = Object.fromEntries(
  VARIANTS.map((variant) => [
    variant.name,
    {
      rps: median(results[variant.name].map((figures) => figures.rps)),
      p99: median(results[variant.name].map((figures) => figures.p99)),
      cpu: median(results[variant.name].map((figures) => figures.cpu)),
    },
  ]),
);
console.log('\nmedians');
for (const variant of VARIANTS) {
  const figures = medians[variant.name];
  const ofFastify = medians.fastify
    ? `  ${fixed(figures.rps / medians.fastify.rps, 2)} of bare Fastify`
    : '';
  console.log(
    `  ${variant.label.padEnd(26)} ${fixed(figures.rps).padStart(7)} req/s  p99 ${fixed(figures.p99, 1)} ms  ${fixed(figures.cpu)} µs CPU/req${ofFastify}`,
  );
}
const ratio = (name, reference, label, target) => {
  if (!medians[name] || !medians[reference]) return;
  const perRound = (key) =>
    results[name].map(
      (figures, round) => figures[key] / results[reference][round][key],
    );
  const throughput = perRound('rps');
  const value = median(throughput);
  const range = `${fixed(Math.min(...throughput), 2)}-${fixed(Math.max(...throughput), 2)}`;
  const cpu = median(perRound('cpu'));
  const goal = target ? ` (target ${target} or more)` : '';
  console.log(
    `${label.padEnd(38)} ${fixed(value, 2)}${goal}, rounds ${range}, CPU per request ${fixed(cpu, 2)} times, p99 ${fixed(medians[name].p99, 1)} ms`,
  );
};
if (suite === 'cache') {
  console.log(
    '\nthroughput ratios, medians of the rounds (p99 target: under 10 ms)',
  );
  ratio('memory', 'plain', 'memory tier / plain NestJS route:', 0.95);
  ratio('redis', 'fastify', 'Redis tier / bare Fastify:', 0.5);
  ratio('memory', 'nest', 'memory tier / service fixed route:');
  ratio('nest', 'plain', 'service fixed route / plain NestJS:');
} else {
  console.log(
    '\nthroughput ratios, medians of the rounds (p99 target: under 15 ms)',
  );
  ratio('secured', 'fastify', 'memory limits / bare Fastify:', 0.5);
  ratio('secured-redis', 'fastify', 'Redis limits / bare Fastify:', 0.35);
}
