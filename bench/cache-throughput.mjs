// Measures cached-quote throughput and latency: a bare Fastify route, a route
// of the full application returning the same fixed JSON, and the quote route
// served from the memory tier and from Redis, each in its own process pinned
// to one core, in the same run. Prints each round, then the medians and the
// ratios the cache is held to. Run with `npm run bench:cache`.
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    rounds: { type: 'string', default: '3' },
  },
});
const duration = Number(values.duration);
const warmup = Number(values.warmup);
const connections = Number(values.connections);
const rounds = Number(values.rounds);
const SERVER_CORE = '0';
const pinned = spawnSync('taskset', ['--version']).status === 0;

const VARIANTS = [
  { name: 'fastify', path: '/bench/quote', label: 'bare Fastify route' },
  { name: 'nest', path: '/bench/quote', label: 'NestJS route, fixed JSON' },
  { name: 'memory', path: '/api/quotes/AAPL', label: 'quote, memory tier' },
  { name: 'redis', path: '/api/quotes/AAPL', label: 'quote, Redis tier only' },
];

/** Starts one server variant and resolves with its process and base URL. */
async function startServer(variant, body) {
  const command = pinned ? 'taskset' : process.execPath;
  const args = [
    ...(pinned ? ['-c', SERVER_CORE, process.execPath] : []),
    'bench/cache-server.mjs',
    variant,
  ];
  const child = spawn(command, args, {
    env: { ...process.env, BODY: body },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  const first = await new Promise((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) =>
      reject(new Error(`${variant} server exited with ${code}`)),
    );
  });
  const { port } = JSON.parse(first);

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

async function load(url, seconds) {
  const result = await autocannon({ url, connections, duration: seconds });
  if (result.errors > 0 || result.non2xx > 0)
    throw new Error(
      `${url}: ${result.errors} errors, ${result.non2xx} non-2xx responses`,
    );

  return { rps: result.requests.average, p99: result.latency.p99 };
}

async function measure(variant, body) {
  const server = await startServer(variant.name, body);
  try {
    const url = server.baseUrl + variant.path;
    const check = await fetch(url);
    const text = await check.text();
    // The simulated quote moves with time, so bodies match in shape and size.
    if (!sameShape(text, body))
      throw new Error(`${variant.name} returned another body: ${text}`);
    await load(url, warmup);
    if (variant.name !== 'fastify' && variant.name !== 'nest') {
      const served = await fetch(url);
      await served.arrayBuffer();
      if (served.headers.get('x-cache') !== 'HIT')
        throw new Error(
          `${variant.name}: the quote was not served from the cache`,
        );
    }

    return await load(url, duration);
  } finally {
    await stopServer(server);
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
  `node ${process.version}, ${connections} connections, ${duration} s per variant after ${warmup} s warm-up, ${rounds} rounds, server ${pinned ? `pinned to core ${SERVER_CORE}` : 'not pinned (taskset missing)'}`,
);
const body = await referenceBody();
const results = Object.fromEntries(
  VARIANTS.map((variant) => [variant.name, []]),
);
for (let round = 1; round <= rounds; round += 1) {
  for (const variant of VARIANTS) {
    const figures = await measure(variant, body);
    results[variant.name].push(figures);
    console.log(
      `round ${round}  ${variant.label.padEnd(26)} ${fixed(figures.rps).padStart(7)} req/s  p99 ${fixed(figures.p99, 1)} ms`,
    );
  }
}

const medians = Object.fromEntries(
  VARIANTS.map((variant) => [
    variant.name,
    {
      rps: median(results[variant.name].map((figures) => figures.rps)),
      p99: median(results[variant.name].map((figures) => figures.p99)),
    },
  ]),
);
console.log('\nmedians');
for (const variant of VARIANTS) {
  const figures = medians[variant.name];
  console.log(
    `  ${variant.label.padEnd(26)} ${fixed(figures.rps).padStart(7)} req/s  p99 ${fixed(figures.p99, 1)} ms  ${fixed(figures.rps / medians.fastify.rps, 2)} of bare Fastify`,
  );
}
const memoryRatio = medians.memory.rps / medians.nest.rps;
const redisRatio = medians.redis.rps / medians.fastify.rps;
console.log(
  `\nmemory tier / NestJS fixed route: ${fixed(memoryRatio, 2)} (target 0.95 or more)`,
);
console.log(
  `Redis tier / bare Fastify:        ${fixed(redisRatio, 2)} (target 0.5 or more)`,
);
console.log(
  `p99 under 10 ms: memory ${medians.memory.p99 < 10 ? 'yes' : 'no'}, Redis ${medians.redis.p99 < 10 ? 'yes' : 'no'}`,
);
