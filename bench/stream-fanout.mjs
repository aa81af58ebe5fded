// Measures how the streaming gateway fans quotes out to many clients, against
// a bare Socket.IO server and a bare `ws` server that send equally sized
// quotes to the same subscriptions at the same tick rates. Each server runs in
// its own process pinned to one core; the clients run in separate processes
// (bench/stream-clients.mjs) pinned to the other core. For each load and
// server it prints the quotes delivered per second, the delay from tick to
// receipt (p50, p99), server CPU per delivered quote and server memory. It
// then prints the medians over the rounds and the ratios to the bare servers,
// beside the targets the gateway is held to.
// Run with `npm run bench:stream`; `-- --help` lists the options.
import { fork, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { WebSocket } from 'ws';

const HELP = `Options:
  --duration S            seconds measured per load and server (default 12)
  --warmup S              seconds of ticks before measuring (default 3)
  --rounds N              rounds; medians are taken over them (default 3)
  --loads LIST            clients x ticks per second per symbol
                          (default 1000x10,5000x10,15000x1)
  --only LIST             servers to run, of gateway, socketio, gateway-ws
                          and ws, comma-separated (default all)
  --clients-per-process N at most this many clients per client process, and
                          at least two processes per load (default 5000)
  --time-limit S          the whole run is stopped after this many seconds
                          (default 1800)`;

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '12' },
    warmup: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '3' },
    loads: { type: 'string', default: '1000x10,5000x10,15000x1' },
    only: { type: 'string' },
    'clients-per-process': { type: 'string', default: '5000' },
    'time-limit': { type: 'string', default: '1800' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(HELP);
  process.exit(0);
}
const duration = Number(values.duration);
const warmup = Number(values.warmup);
const rounds = Number(values.rounds);
const clientsPerProcess = Number(values['clients-per-process']);
const timeLimit = Number(values['time-limit']);
const LOADS = values.loads.split(',').map((text) => {
  const [clients, rate] = text.split('x').map(Number);
  if (!(clients > 0 && rate > 0))
    throw new Error(
      `invalid load "${text}"; expected CLIENTSxRATE such as 5000x10`,
    );

  return { clients, rate };
});

/** 25 coins against two currencies, since the simulated source ticks crypto at any hour. */
const COINS = ['BTC', 'ETH', 'SOL', 'ADA', 'XRP', 'DOGE', 'DOT', 'LTC', 'BCH'];
COINS.push('LINK', 'AVAX', 'MATIC', 'POL', 'BNB', 'TRX', 'XLM', 'ATOM', 'UNI');
COINS.push('SHIB', 'ETC', 'XMR', 'ALGO', 'FIL', 'NEAR', 'APT');
const SYMBOLS = COINS.flatMap((coin) => [`${coin}-USD`, `${coin}-EUR`]);

const ALL_SERVERS = [
  {
    name: 'gateway',
    server: 'product',
    protocol: 'socketio',
    label: 'gateway, Socket.IO',
  },
  {
    name: 'socketio',
    server: 'socketio',
    protocol: 'socketio',
    label: 'bare Socket.IO',
  },
  {
    name: 'gateway-ws',
    server: 'product',
    protocol: 'ws',
    label: 'gateway, /ws',
  },
  { name: 'ws', server: 'ws', protocol: 'ws', label: 'bare ws' },
];
const chosen = values.only?.split(',');
const SERVERS = ALL_SERVERS.filter(
  (server) => !chosen || chosen.includes(server.name),
);

const SERVER_CORE = '0';
const CLIENT_CORE = '1';
const pinned =
  spawnSync('taskset', ['--version']).status === 0 && cpus().length >= 2;
const clockTicks = Number(
  spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout,
);
/** Connections each client process opens at once. */
const CONNECT_CONCURRENCY = 100;
const CONNECT_TIMEOUT_MS = 60_000;

/** Every child process started and not yet known to have exited, by PID. */
const children = new Map();

function track(child) {
  children.set(child.pid, child);
  child.once('exit', () => children.delete(child.pid));

  return child;
}

function killAll() {
  for (const child of children.values()) child.kill('SIGKILL');
}

process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    console.error(`stopped by ${signal}`);
    process.exit(130);
  });
}
setTimeout(() => {
  console.error(`the run passed --time-limit ${timeLimit} s and was stopped`);
  process.exit(1);
}, timeLimit * 1000).unref();

function openFileLimit() {
  const limits = readFileSync('/proc/self/limits', 'utf8');
  const line = limits.split('\n').find((l) => l.startsWith('Max open files'));

  return Number(line?.split(/\s+/)[3]);
}

/** With BENCH_CPU_PROFILE=DIR set, each server writes a V8 CPU profile to DIR. */
const profilerArgs = process.env.BENCH_CPU_PROFILE
  ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROFILE}`]
  : [];

/** Starts one server and resolves with its process and base URL. */
async function startServer(kind, rate, template) {
  const command = pinned ? 'taskset' : process.execPath;
  const args = [
    ...(pinned ? ['-c', SERVER_CORE, process.execPath] : []),
    ...profilerArgs,
    'bench/stream-server.mjs',
    kind,
  ];
  const env = {
    ...process.env,
    SYMBOLS: SYMBOLS.join(','),
    TICK_MS: String(1000 / rate),
    TEMPLATE: template ?? '{}',
  };
  delete env.REDIS_URL;
  const child = track(
    spawn(command, args, { env, stdio: ['ignore', 'pipe', 'inherit'] }),
  );
  const lines = createInterface({ input: child.stdout });
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${kind} server did not start in 30 s`)),
      30_000,
    );
    lines.on('line', (line) => {
      const parsed = line.startsWith('{') ? JSON.parse(line) : null;
      if (!parsed?.port) return;
      clearTimeout(timer);
      resolve(parsed.port);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${kind} server exited with ${code}`));
    });
  });

  return { child, url: `http://127.0.0.1:${port}` };
}

/** Stops a server with SIGTERM, and with SIGKILL if it has not exited in 10 s. */
async function stopServer(server) {
  if (server.child.exitCode !== null || server.child.signalCode) return;
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  const timer = setTimeout(() => server.child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/**
 * Reads one quote of each symbol from the product's /ws, without `type`, as
 * the bare servers' templates: their quotes then have the same fields and,
 * symbol by symbol, the same size.
 */
async function productTemplates() {
  const server = await startServer('product', 10);
  try {
    const socket = new WebSocket(`${server.url.replace('http', 'ws')}/ws`);
    const templates = await new Promise((resolve, reject) => {
      const found = {};
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `the product sent quotes of only ${Object.keys(found).length} symbols in 10 s`,
            ),
          ),
        10_000,
      );
      socket.on('error', reject);
      socket.on('open', () =>
        socket.send(JSON.stringify({ action: 'subscribe', symbols: SYMBOLS })),
      );
      socket.on('message', (data) => {
        const { type, ...message } = JSON.parse(data.toString());
        if (type !== 'quote') return;
        found[message.symbol] = message;
        if (Object.keys(found).length < SYMBOLS.length) return;
        clearTimeout(timer);
        resolve(found);
      });
    });
    socket.terminate();

    return JSON.stringify(templates);
  } finally {
    await stopServer(server);
  }
}

/** Forks the client processes of a load; resolves once all are connected. */
async function startClients(url, protocol, clients) {
  const processes = Math.max(2, Math.ceil(clients / clientsPerProcess));
  const group = [];
  for (let index = 0; index < processes; index += 1) {
    const firstIndex = Math.floor((clients * index) / processes);
    const count = Math.floor((clients * (index + 1)) / processes) - firstIndex;
    const options = {
      url,
      protocol,
      count,
      firstIndex,
      symbols: SYMBOLS,
      concurrency: CONNECT_CONCURRENCY,
      connectTimeoutMs: CONNECT_TIMEOUT_MS,
      maxSeconds: timeLimit,
    };
    const child = track(
      fork('bench/stream-clients.mjs', [JSON.stringify(options)], {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      }),
    );
    if (pinned)
      spawnSync('taskset', ['-a', '-p', '-c', CLIENT_CORE, String(child.pid)], {
        stdio: 'ignore',
      });
    group.push(child);
  }
  const reports = await Promise.all(
    group.map((child) => nextMessage(child, 'ready', 180_000)),
  );
  const connected = reports.reduce((sum, report) => sum + report.connected, 0);
  const first = reports.find((report) => report.firstError)?.firstError;
  if (connected === 0)
    throw new Error(
      `no client of ${clients} subscribed; first error: ${first}`,
    );
  // A server that cannot keep up loses handshakes to timeouts; it is measured
  // with the clients it took, and the delivery rate shows the shortfall.
  if (connected < clients)
    console.log(
      `  ${connected} of ${clients} clients subscribed; first error: ${first}`,
    );

  return { group, connected };
}

function nextMessage(child, type, timeoutMs) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(
        new Error(
          `client process ${child.pid} sent no ${type} in ${timeoutMs} ms`,
        ),
      );
    }, timeoutMs);
    const onMessage = (message) => {
      if (message?.type !== type) return;
      cleanup();
      resolve(message);
    };
    const onExit = (code) => {
      cleanup();
      reject(new Error(`client process ${child.pid} exited with ${code}`));
    };
    const cleanup = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

async function stopClients(group) {
  await Promise.all(
    group.map(async (child) => {
      if (child.exitCode !== null || child.signalCode) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send('exit');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }),
  );
}

/** CPU time a process has used so far in µs, from /proc/<pid>/stat. */
function cpuMicros(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // utime and stime are the 12th and 13th fields after the command name.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');

  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / clockTicks;
}

/** Resident and peak resident memory of a process in MB, from /proc/<pid>/status. */
function memoryMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name) =>
    Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1]);

  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
}

/** Returns the delay in ms below which the given share of quotes arrived. */
function percentile(delays, share) {
  const sorted = [...delays].sort((a, b) => a[0] - b[0]);
  const total = sorted.reduce((sum, [, count]) => sum + count, 0);
  let seen = 0;
  for (const [delay, count] of sorted) {
    seen += count;
    if (seen >= total * share) return delay;
  }

  return Number.NaN;
}

async function measure(target, load, template) {
  const server = await startServer(target.server, load.rate, template);
  let group = [];
  try {
    const clients = await startClients(
      server.url,
      target.protocol,
      load.clients,
    );
    group = clients.group;
    await sleep(warmup * 1000);
    const pid = server.child.pid;
    const cpuBefore = cpuMicros(pid);
    const clientCpuBefore = sumOf(group.map((child) => cpuMicros(child.pid)));
    const started = performance.now();
    for (const child of group) child.send('start');
    let peakRss = 0;
    const windowEnd = started + duration * 1000;
    while (performance.now() < windowEnd) {
      peakRss = Math.max(peakRss, memoryMb(pid).rss);
      await sleep(Math.max(0, Math.min(500, windowEnd - performance.now())));
    }
    const results = group.map((child) => nextMessage(child, 'result', 30_000));
    for (const child of group) child.send('stop');
    const cpuAfter = cpuMicros(pid);
    const clientCpuAfter = sumOf(group.map((child) => cpuMicros(child.pid)));
    const seconds = (performance.now() - started) / 1000;
    const memory = memoryMb(pid);
    const reports = await Promise.all(results);

    const sum = (key) =>
      reports.reduce((total, report) => total + report[key], 0);
    const delays = new Map();
    for (const report of reports)
      for (const [delay, count] of report.delays)
        delays.set(delay, (delays.get(delay) ?? 0) + count);
    const received = sum('received');

    return {
      rate: received / seconds,
      expected: load.clients * load.rate,
      clients: load.clients,
      p50: percentile(delays, 0.5),
      p99: percentile(delays, 0.99),
      cpu: (cpuAfter - cpuBefore) / received,
      cpuShare: (cpuAfter - cpuBefore) / 1e6 / seconds,
      clientShare: (clientCpuAfter - clientCpuBefore) / 1e6 / seconds,
      connected: clients.connected,
      rss: Math.max(peakRss, memory.rss),
      hwm: memory.hwm,
      bytes: sum('bytes') / received,
      skipped: sum('skipped'),
      closed: sum('closed') + sum('errors'),
    };
  } finally {
    await stopClients(group);
    await stopServer(server);
  }
}

const sumOf = (numbers) => numbers.reduce((sum, number) => sum + number, 0);
const fixed = (number, digits = 0) =>
  Number.isFinite(number) ? number.toFixed(digits) : 'n/a';
const median = (numbers) =>
  [...numbers].sort((a, b) => a - b)[Math.floor(numbers.length / 2)];

function describe(figures) {
  const notes = [];
  if (figures.connected < figures.clients)
    notes.push(`only ${figures.connected} connected`);
  if (figures.skipped) notes.push(`${figures.skipped} skipped`);
  if (figures.closed) notes.push(`${figures.closed} closed`);
  const columns = [
    `${fixed(figures.rate).padStart(6)}/${figures.expected} msg/s`,
    `p50 ${fixed(figures.p50).padStart(3)} ms`,
    `p99 ${fixed(figures.p99).padStart(4)} ms`,
    `${fixed(figures.cpu, 1).padStart(5)} µs CPU/msg`,
    `server ${fixed(figures.cpuShare * 100).padStart(3)}%`,
    `clients ${fixed(figures.clientShare * 100).padStart(3)}%`,
    `RSS ${fixed(figures.rss).padStart(3)} MB (peak ${fixed(figures.hwm)})`,
    `${fixed(figures.bytes)} B/msg`,
    ...notes,
  ];

  return columns.join('  ');
}

const loadName = (load) => `${load.clients} clients x ${load.rate}/s`;

const openFiles = openFileLimit();
const largest = Math.max(...LOADS.map((load) => load.clients));
if (openFiles < largest + 1000) {
  console.error(
    `the open-file limit is ${openFiles}, too low for a server with ${largest} connections; raise it with ulimit -n`,
  );
  process.exit(1);
}
console.log(
  `${cpus()[0]?.model ?? 'unknown CPU'} x ${cpus().length}, ${fixed(totalmem() / 2 ** 30)} GiB, node ${process.version}, ${SYMBOLS.length} symbols, ${duration} s per load after ${warmup} s warm-up, ${rounds} rounds, ${pinned ? `server on core ${SERVER_CORE}, clients on core ${CLIENT_CORE}` : 'not pinned (taskset or a second core missing)'}`,
);
const template = await productTemplates();
const results = new Map();
for (let round = 1; round <= rounds; round += 1) {
  for (const load of LOADS) {
    for (const target of SERVERS) {
      const key = `${loadName(load)}|${target.name}`;
      const figures = await measure(target, load, template);
      results.set(key, [...(results.get(key) ?? []), figures]);
      console.log(
        `round ${round}  ${loadName(load).padEnd(20)} ${target.label.padEnd(18)} ${describe(figures)}`,
      );
    }
  }
}

const medians = new Map();
for (const [key, list] of results) {
  const pick = (name) => median(list.map((figures) => figures[name]));
  medians.set(key, {
    rate: pick('rate'),
    expected: list[0].expected,
    clients: list[0].clients,
    p50: pick('p50'),
    p99: pick('p99'),
    cpu: pick('cpu'),
    cpuShare: pick('cpuShare'),
    clientShare: pick('clientShare'),
    connected: pick('connected'),
    rss: pick('rss'),
    hwm: pick('hwm'),
    bytes: pick('bytes'),
    skipped: pick('skipped'),
    closed: pick('closed'),
  });
}
console.log(`\nmedians of ${rounds} rounds`);
for (const load of LOADS) {
  for (const target of SERVERS) {
    const figures = medians.get(`${loadName(load)}|${target.name}`);
    console.log(
      `  ${loadName(load).padEnd(20)} ${target.label.padEnd(18)} ${describe(figures)}`,
    );
  }
}

const verdict = (met) => (met ? 'met' : 'NOT met');
console.log('\nratios against the bare servers');
for (const [name, reference] of [
  ['gateway', 'socketio'],
  ['gateway-ws', 'ws'],
]) {
  for (const load of LOADS) {
    const ours = medians.get(`${loadName(load)}|${name}`);
    const bare = medians.get(`${loadName(load)}|${reference}`);
    if (!ours || !bare) continue;
    const rate = ours.rate / bare.rate;
    const cpu = ours.cpu / bare.cpu;
    let targets = '';
    if (load.clients === 5000) {
      targets = `  targets: rate 0.85 or more ${verdict(rate >= 0.85)}, CPU 1.2 times or less ${verdict(cpu <= 1.2)}, p99 under 100 ms ${verdict(ours.p99 < 100)}`;
    }
    console.log(
      `  ${`${name} / ${reference}`.padEnd(22)} ${loadName(load).padEnd(20)} delivery rate ${fixed(rate, 2)}, CPU per message ${fixed(cpu, 2)} times${targets}`,
    );
  }
}
for (const target of SERVERS.filter((s) => s.server === 'product')) {
  for (const load of LOADS.filter((l) => l.clients >= 15000)) {
    const figures = medians.get(`${loadName(load)}|${target.name}`);
    console.log(
      `  ${target.label}: ${load.clients} clients connected, RSS ${fixed(figures.rss)} MB (peak ${fixed(figures.hwm)} MB); target under 600 MB ${verdict(figures.rss < 600 && figures.hwm < 600)}`,
    );
  }
}
