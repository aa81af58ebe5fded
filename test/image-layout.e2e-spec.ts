import { spawn, type ChildProcess } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settingsSchema } from '../src/config/config.schema.js';
import { ROOT } from './support/build.js';
import { DockerIgnore } from './support/docker-context.js';
import {
  durationMs,
  imageConfig,
  parseDockerfile,
  parseRun,
  type Stage,
} from './support/dockerfile.js';
import {
  buildImageLayout,
  openToOtherUsers,
  RegistryUnreachableError,
  type ImageLayout,
} from './support/image-layout.js';
import {
  REDIS_SERVER_PATH,
  startOwnRedis,
  type OwnRedis,
} from './support/redis.js';
import { connectIo, emitWithAck, openWs } from './support/streaming.js';
import { newSecret, signHs256 } from './support/tokens.js';
import { describeWithTool } from './support/system-tools.js';
import {
  asUser,
  describeAsOtherUser,
  SETPRIV_PATH,
} from './support/unprivileged.js';

/** Bound of each npm command while the layout is built, in ms. */
const NPM_TIMEOUT_MS = 120_000;
/** Bound of the service's start-up until liveness returns 200, in ms. */
const START_TIMEOUT_MS = 20_000;
/** Bound of the service's exit after a signal or a rejected start, in ms. */
const EXIT_TIMEOUT_MS = 15_000;
const TOKEN_SCOPES = 'quotes:read history:read stream:subscribe';
/**
 * Settings that the Helm chart and the compose file give on top of the
 * image's ENV, apart from Redis, ports and secrets.
 */
const PRODUCTION_SETTINGS: Readonly<Record<string, string>> = {
  AUTH_ENABLED: 'true',
  LOG_LEVEL: 'info',
  SWAGGER_ENABLED: 'true',
  REQUEST_DEADLINE: '15',
  RATE_LIMIT_REQUESTS: '1000',
  RATE_LIMIT_WINDOW: '60',
  TRUSTED_PROXIES: '10.0.0.0/8,172.16.0.0/12,192.168.0.0/16',
};

describe('Dockerfile', () => {
  const stages = parseDockerfile(
    readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'),
  );
  const runtime = stages.at(-1) as Stage;
  const config = imageConfig(runtime);
  const defaults = settingsSchema.parse({});

  it('builds on Node 24 in every stage', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) {
      expect(stage.base, stage.name).toMatch(/^node:24-[a-z]+-slim$/);
    }
  });

  it('compiles in a build stage', () => {
    const commands = stages
      .slice(0, -1)
      .flatMap((stage) => runCommands(stage))
      .map((command) => command.join(' '));
    expect(commands).toContain('npm run build');
  });

  it('installs production dependencies only', () => {
    const installs = runCommands(runtime).filter(
      (command) => command[0] === 'npm' && command[1] === 'ci',
    );
    expect(installs).toHaveLength(1);
    expect(installs[0]).toContain('--omit=dev');
  });

  it('sets production environment', () => {
    expect(config.env.NODE_ENV).toBe('production');
    expect(config.env.API_HOST).toBe('0.0.0.0');
  });

  it('runs as a numeric non-root user', () => {
    expect(config.user.uid).toBeGreaterThan(0);
    expect(config.user.gid).toBeGreaterThan(0);
  });

  it('exposes the default API and streaming ports', () => {
    expect(config.exposedPorts).toEqual([defaults.API_PORT, defaults.WS_PORT]);
  });

  it('starts node directly', () => {
    expect(config.cmd).toEqual(['node', 'dist/main.js']);
  });

  it('probes liveness with node', () => {
    expect(config.healthcheck.command[0]).toBe('node');
    expect(config.healthcheck.command.join(' ')).toContain('/health/live');
    expect(durationMs(config.healthcheck.options.timeout ?? '')).toBeLessThan(
      durationMs(config.healthcheck.options.interval ?? ''),
    );
  });

  it('keeps local files out of the build context', () => {
    const ignore = DockerIgnore.read(ROOT);
    for (const excluded of [
      'node_modules',
      'dist',
      '.git',
      'test',
      'docs',
      'bench',
      'coverage',
      '.env',
      '.env.production',
      'server.key',
      'tls.pem',
    ]) {
      expect(ignore.excludes(excluded), excluded).toBe(true);
    }
    for (const entry of ['src', 'config', 'package.json', 'tsconfig.json']) {
      expect(ignore.excludes(entry), entry).toBe(false);
    }
  });
});

describeWithTool('redis-server', REDIS_SERVER_PATH, 'image layout', () => {
  describeAsOtherUser('as the image user', imageLayoutTests);
});

/** Builds the image's layout, runs it as the image user with Redis, and checks it. */
function imageLayoutTests(): void {
  const workRoot = mkdtempSync(path.join(tmpdir(), 'market-data-image-'));
  const secret = newSecret();
  let builtLayout: ImageLayout | undefined;
  let skipReason: string | undefined;
  let runningService: RunningService | undefined;
  let redis: OwnRedis | undefined;
  let before = new Map<string, string>();

  beforeAll(
    async () => {
      openToOtherUsers(workRoot);
      try {
        builtLayout = await buildImageLayout({
          contextRoot: ROOT,
          workRoot,
          npmFlags: ['--prefer-offline'],
          timeoutMs: NPM_TIMEOUT_MS,
        });
      } catch (error) {
        if (!(error instanceof RegistryUnreachableError)) throw error;
        if (process.env.CI === 'true') throw error;
        skipReason = error.message;
        console.warn(`Skipping the image layout tests: ${skipReason}`);
        return;
      }
      before = snapshot(builtLayout.appDir);
      redis = await startOwnRedis();
      const [apiPort, wsPort] = await freePorts(2);
      runningService = startService(builtLayout, {
        ...PRODUCTION_SETTINGS,
        JWT_SECRET: secret,
        REDIS_URL: redis.url,
        API_HOST: '127.0.0.1',
        API_PORT: String(apiPort),
        WS_PORT: String(wsPort),
        // The chart's 5 s drain delay would only slow the SIGTERM test down.
        SHUTDOWN_DRAIN_DELAY: '0',
      });
      await waitForLiveness(runningService);
    },
    2 * NPM_TIMEOUT_MS + START_TIMEOUT_MS,
  );

  afterAll(async () => {
    if (runningService && runningService.exitCode() === undefined) {
      runningService.child.kill('SIGKILL');
      await runningService.exited;
    }
    await redis?.stop();
    rmSync(workRoot, { recursive: true, force: true });
  });

  /** Returns the built layout and the running service, or skips the test with the reason. */
  const ready = (skip: (note: string) => never) => {
    if (skipReason !== undefined) skip(skipReason);

    return {
      layout: builtLayout as ImageLayout,
      service: runningService as RunningService,
    };
  };

  it('contains no dev dependency', ({ skip }) => {
    const { layout } = ready(skip);
    const modules = path.join(layout.appDir, 'node_modules');
    for (const name of ['vitest', 'typescript', 'oxlint']) {
      expect(existsSync(path.join(modules, name)), name).toBe(false);
    }
    // The lock file marks packages that only dev dependencies need as `dev`,
    // or `devOptional` when a production package has them as an optional peer.
    const lock = JSON.parse(
      readFileSync(path.join(layout.appDir, 'package-lock.json'), 'utf8'),
    ) as { packages: Record<string, { dev?: boolean; devOptional?: boolean }> };
    const present = Object.entries(lock.packages)
      .filter(
        ([where, entry]) => where !== '' && (entry.dev || entry.devOptional),
      )
      .map(([where]) => where)
      .filter((where) => existsSync(path.join(layout.appDir, where)));
    expect(present).toEqual([]);
  });

  it('contains the config files', ({ skip }) => {
    const { layout } = ready(skip);
    expect(readdirSync(path.join(layout.appDir, 'config')).sort()).toEqual(
      readdirSync(path.join(ROOT, 'config')).sort(),
    );
  });

  it('is read-only for the image user', async ({ skip }) => {
    const { layout } = ready(skip);
    for (const folder of ['.', 'dist', 'config']) {
      const probe = path.join(layout.appDir, folder, 'write-probe');
      // Exit code 3 separates a write rejected with EACCES from other failures.
      const result = await runAsImageUser(layout, [
        'node',
        '-e',
        `try { require('node:fs').writeFileSync(${JSON.stringify(probe)}, ''); process.exit(0) } catch (error) { process.exit(error.code === 'EACCES' ? 3 : 1) }`,
      ]);
      expect(result.code, folder).toBe(3);
    }
  });

  it('runs node as the image user', ({ skip }) => {
    const { layout, service } = ready(skip);
    const status = readFileSync(`/proc/${service.child.pid}/status`, 'utf8');
    const { uid, gid } = layout.config.user;
    expect(procIds(status, 'Uid')).toEqual([uid, uid, uid, uid]);
    expect(procIds(status, 'Gid')).toEqual([gid, gid, gid, gid]);
    expect(procIds(status, 'Groups')).toEqual([]);
    const commandLine = readFileSync(`/proc/${service.child.pid}/cmdline`)
      .toString('utf8')
      .split('\0')
      .filter((part) => part !== '');
    expect(path.basename(commandLine[0] ?? '')).toBe('node');
    expect(commandLine.slice(1)).toEqual(layout.config.cmd.slice(1));
  });

  it('passes its HEALTHCHECK', async ({ skip }) => {
    const { layout, service } = ready(skip);
    const result = await runAsImageUser(
      layout,
      layout.config.healthcheck.command,
      { API_PORT: service.env.API_PORT ?? '' },
      durationMs(layout.config.healthcheck.options.timeout ?? '5s'),
    );
    expect(result.code, result.output).toBe(0);
  });

  it('fails its HEALTHCHECK on a closed port', async ({ skip }) => {
    const { layout } = ready(skip);
    const [closedPort] = await freePorts(1);
    const result = await runAsImageUser(
      layout,
      layout.config.healthcheck.command,
      { API_PORT: String(closedPort) },
      durationMs(layout.config.healthcheck.options.timeout ?? '5s'),
    );
    expect(result.code).not.toBe(0);
  });

  it('rejects /api without a token', async ({ skip }) => {
    const { service } = ready(skip);
    const response = await fetch(`${service.apiUrl}/api/quotes/AAPL`);
    expect(response.status).toBe(401);
    expect(((await response.json()) as { code: string }).code).toBe(
      'UNAUTHORIZED',
    );
  });

  it('serves quotes and history', async ({ skip }) => {
    const { service } = ready(skip);
    const headers = { authorization: `Bearer ${await token(secret)}` };
    const quote = await fetch(`${service.apiUrl}/api/quotes/AAPL`, {
      headers,
    });
    expect(quote.status).toBe(200);
    expect(((await quote.json()) as { symbol: string }).symbol).toBe('AAPL');
    const history = await fetch(
      `${service.apiUrl}/api/stocks/AAPL/history?interval=1d&from=2024-01-02&to=2024-01-12`,
      { headers },
    );
    expect(history.status).toBe(200);
    const body = (await history.json()) as { bars: unknown[] };
    expect(body.bars.length).toBeGreaterThan(0);
  });

  it('serves Swagger UI and its assets', async ({ skip }) => {
    const { service } = ready(skip);
    const page = await fetch(`${service.apiUrl}/docs`);
    expect(page.status).toBe(200);
    const html = await page.text();
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map(
      (match) => new URL(match[1] ?? '', `${service.apiUrl}/docs`),
    );
    const names = assets.map((asset) => path.basename(asset.pathname));
    expect(names).toContain('swagger-ui-bundle.js');
    expect(names).toContain('swagger-ui.css');
    for (const asset of assets) {
      const response = await fetch(asset);
      const bytes = (await response.arrayBuffer()).byteLength;
      expect(response.status, asset.pathname).toBe(200);
      expect(bytes, asset.pathname).toBeGreaterThan(0);
    }
  });

  it('serves the OpenAPI document', async ({ skip }) => {
    const { service } = ready(skip);
    const response = await fetch(`${service.apiUrl}/docs-json`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    expect(document.openapi).toMatch(/^3\./);
    expect(Object.keys(document.paths)).toContain('/api/quotes/{symbol}');
  });

  it('serves metrics and health', async ({ skip }) => {
    const { service } = ready(skip);
    const metrics = await fetch(`${service.apiUrl}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('api_requests_total');
    const health = await fetch(`${service.apiUrl}/health`);
    expect(health.status).toBe(200);
    const overview = (await health.json()) as {
      status: string;
      version: string;
      services: { redis: { status: string } };
    };
    expect(overview.status).toBe('ok');
    expect(overview.services.redis.status).toBe('up');
    // The version comes from package.json, so this shows the image has it.
    expect(overview.version).toBe(packageVersion());
    const readiness = await fetch(`${service.apiUrl}/health/ready`);
    expect(readiness.status).toBe(200);
  });

  it('streams quotes over Socket.IO', async ({ skip }) => {
    const { service } = ready(skip);
    const client = await connectIo(service.streamUrl, {
      auth: { token: await token(secret) },
    });
    try {
      const reply = await emitWithAck<{ subscribed: string[] }>(
        client.socket,
        'subscribe',
        { symbols: ['AAPL'] },
      );
      expect(reply.subscribed).toEqual(['AAPL']);
      const quote = await client.inbox.next(
        (event) => event.event === 'quote',
        'a Socket.IO quote',
      );
      expect(quote.data.symbol).toBe('AAPL');
    } finally {
      client.socket.close();
    }
  });

  it('streams quotes over /ws', async ({ skip }) => {
    const { service } = ready(skip);
    const client = await openWs(
      `${service.streamUrl.replace('http:', 'ws:')}/ws`,
      { headers: { authorization: `Bearer ${await token(secret)}` } },
    );
    try {
      client.send({ action: 'subscribe', symbols: ['BTC-USD'] });
      const quote = await client.inbox.next(
        (message) => message.type === 'quote',
        'a /ws quote',
      );
      expect(quote.symbol).toBe('BTC-USD');
    } finally {
      client.socket.close();
    }
  });

  it('rejects production start without JWT settings', async ({ skip }) => {
    const { layout } = ready(skip);
    const [apiPort, wsPort] = await freePorts(2);
    const { AUTH_ENABLED: _authEnabled, ...withoutAuth } = PRODUCTION_SETTINGS;
    const rejected = startService(layout, {
      ...withoutAuth,
      API_HOST: '127.0.0.1',
      API_PORT: String(apiPort),
      WS_PORT: String(wsPort),
    });
    const code = await exitWithin(rejected, EXIT_TIMEOUT_MS);
    expect(code).toBe(1);
    for (const setting of ['JWT_SECRET', 'JWT_PUBLIC_KEY', 'JWT_JWKS_URL']) {
      expect(rejected.output(), setting).toContain(setting);
    }
  });

  it('exits 0 on SIGTERM', async ({ skip }) => {
    const { service } = ready(skip);
    service.child.kill('SIGTERM');
    expect(await exitWithin(service, EXIT_TIMEOUT_MS)).toBe(0);
  });

  it('writes nothing into its folder', ({ skip }) => {
    const { layout, service } = ready(skip);
    expect(service.exitCode(), 'the service is still running').toBeDefined();
    expect(changedPaths(before, snapshot(layout.appDir))).toEqual([]);
    expect(service.output()).not.toMatch(/EACCES|EROFS/);
  });
}

/** Runs `command` in the layout's WORKDIR as the image user, with the image's ENV. */
async function runAsImageUser(
  layout: ImageLayout,
  command: string[],
  env: Record<string, string> = {},
  timeoutMs = EXIT_TIMEOUT_MS,
): Promise<{ code: number | null; output: string }> {
  const child = spawnAsImageUser(layout, command, env);
  const code = await exitWithin(child, timeoutMs);

  return { code, output: child.output() };
}

interface RunningService {
  child: ChildProcess;
  env: Record<string, string>;
  apiUrl: string;
  streamUrl: string;
  exited: Promise<void>;
  /** The exit code, null when ended by a signal, undefined while running. */
  exitCode(): number | null | undefined;
  /** Standard output and standard error so far. */
  output(): string;
}

/**
 * Starts the image's CMD as the image user in the layout's WORKDIR, with
 * the image's ENV under `settings`, as a container runtime would.
 */
function startService(
  layout: ImageLayout,
  settings: Record<string, string>,
): RunningService {
  const service = spawnAsImageUser(layout, layout.config.cmd, settings);

  return {
    ...service,
    apiUrl: `http://127.0.0.1:${settings.API_PORT}`,
    streamUrl: `http://127.0.0.1:${settings.WS_PORT}`,
  };
}

function spawnAsImageUser(
  layout: ImageLayout,
  command: string[],
  settings: Record<string, string>,
): Omit<RunningService, 'apiUrl' | 'streamUrl'> {
  const { uid, gid } = layout.config.user;
  const env: Record<string, string> = {
    PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin`,
    HOME: layout.appDir,
    ...layout.config.env,
    ...settings,
  };
  const child = spawn(SETPRIV_PATH, [...asUser(uid, gid), ...command], {
    cwd: layout.appDir,
    env,
  });
  let output = '';
  let code: number | null | undefined;
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) =>
    child.once('close', (exitCode) => {
      code = exitCode;
      resolve();
    }),
  );

  return { child, env, exited, exitCode: () => code, output: () => output };
}

/** Waits for the process to exit, killing it after `timeoutMs`; returns its exit code. */
async function exitWithin(
  process_: Pick<RunningService, 'child' | 'exited' | 'exitCode'>,
  timeoutMs: number,
): Promise<number | null> {
  const timer = setTimeout(() => process_.child.kill('SIGKILL'), timeoutMs);
  await process_.exited;
  clearTimeout(timer);

  return process_.exitCode() ?? null;
}

async function waitForLiveness(service: RunningService): Promise<void> {
  const until = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < until && service.exitCode() === undefined) {
    const status = await fetch(`${service.apiUrl}/health/live`).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) return;
    await sleep(100);
  }
  throw new Error(
    `GET /health/live did not return 200 within ${START_TIMEOUT_MS} ms; output:\n${service.output()}`,
  );
}

/** Asks the OS for `count` distinct free ports on 127.0.0.1. */
async function freePorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer());
  const ports: number[] = [];
  for (const server of servers) {
    await new Promise<void>((resolve) =>
      server.listen(0, '127.0.0.1', resolve),
    );
    const address = server.address();
    if (address === null || typeof address === 'string')
      throw new Error('no TCP port assigned');
    ports.push(address.port);
  }
  await Promise.all(
    servers.map(
      (server) => new Promise<void>((resolve) => server.close(() => resolve())),
    ),
  );

  return ports;
}

function runCommands(stage: Stage): string[][] {
  return stage.instructions
    .filter((instruction) => instruction.keyword === 'RUN')
    .flatMap((instruction) => parseRun(instruction));
}

function packageVersion(): string {
  const manifest = JSON.parse(
    readFileSync(path.join(ROOT, 'package.json'), 'utf8'),
  ) as { version: string };

  return manifest.version;
}

function token(secret: string): Promise<string> {
  return signHs256(secret, { scope: TOKEN_SCOPES });
}

/** Reads the numbers of one line of /proc/<pid>/status, such as `Uid`. */
function procIds(status: string, field: string): number[] {
  const line = status.split('\n').find((text) => text.startsWith(`${field}:`));
  if (line === undefined) throw new Error(`no ${field} line in ${status}`);

  return line
    .slice(field.length + 1)
    .trim()
    .split(/\s+/)
    .filter((part) => part !== '')
    .map(Number);
}

/** Maps each path below `folder` to its type, size and modification time. */
function snapshot(folder: string): Map<string, string> {
  const entries = new Map<string, string>();
  for (const name of readdirSync(folder, { recursive: true })) {
    const file = path.join(folder, String(name));
    const stats = lstatSync(file);
    entries.set(String(name), `${stats.mode}:${stats.size}:${stats.mtimeMs}`);
  }

  return entries;
}

function changedPaths(
  before: Map<string, string>,
  after: Map<string, string>,
): string[] {
  const names = new Set([...before.keys(), ...after.keys()]);

  return [...names].filter((name) => before.get(name) !== after.get(name));
}
