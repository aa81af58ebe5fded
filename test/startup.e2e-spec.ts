import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { newSecret, signHs256, writeApiKeysFile } from './support/tokens.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const outDir = path.join(root, 'dist-test');
const START_TIMEOUT_MS = 20_000;

let child: ChildProcess | undefined;

beforeAll(() => {
  execFileSync(
    process.execPath,
    [
      path.join(root, 'node_modules/typescript/bin/tsc'),
      '-p',
      'tsconfig.build.json',
      '--outDir',
      outDir,
    ],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
}, 60_000);

afterEach(() => {
  if (child?.exitCode === null) child.kill('SIGTERM');
  child = undefined;
});

/** Starts the built service in an empty folder with only the given variables. */
function start(env: Record<string, string>) {
  const cwd = mkdtempSync(path.join(tmpdir(), 'market-data-start-'));
  child = spawn(process.execPath, [path.join(outDir, 'main.js')], {
    cwd,
    // WS_PORT=0 keeps the streaming server off the default 8001, which
    // another process may hold.
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', WS_PORT: '0', ...env },
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));

  return { process: child, output: () => output };
}

async function waitFor(
  read: () => string,
  pattern: RegExp,
): Promise<RegExpMatchArray> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const match = pattern.exec(read());
    if (match) return match;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  throw new Error(`no output matched ${String(pattern)}; got:\n${read()}`);
}

describe('service start-up', () => {
  it('serves simulated data with no configuration', async () => {
    const run = start({ API_PORT: '0' });
    await waitFor(run.output, /Serving simulated data/);
    const [, url] = await waitFor(
      run.output,
      /Listening on (http:\/\/127\.0\.0\.1:\d+)/,
    );
    const response = await fetch(`${url ?? ''}/api/quotes/AAPL`);
    const body = (await response.json()) as { source: string };
    expect(response.status).toBe(200);
    expect(body.source).toBe('simulated');
  });

  it('names the sources it serves and the disabled ones', async () => {
    const run = start({
      API_PORT: '0',
      QUOTE_PROVIDERS: 'polygon,simulated',
      ALPHA_VANTAGE_KEY: 'k',
    });
    await waitFor(run.output, /Listening on/);
    expect(run.output()).toContain(
      'polygon is named in a provider list but disabled: POLYGON_KEY is not set',
    );
    expect(run.output()).toMatch(/Serving data from simulated, alpha_vantage/);
  });

  it('stops with one message naming each invalid variable', async () => {
    const run = start({ API_PORT: 'eighty', REPLAY_SPEED: '-1' });
    const [code] = (await once(run.process, 'exit')) as [number];
    expect(code).toBe(1);
    expect(run.output()).toContain(
      'API_PORT="eighty" (from the environment) is invalid: expected an integer from 0 to 65535.',
    );
    expect(run.output()).toContain(
      'REPLAY_SPEED="-1" (from the environment) is invalid',
    );
    expect(run.output()).not.toMatch(/at .*\.js:\d+/);
  });

  it('stops when REPLAY_DIR does not exist', async () => {
    const run = start({
      API_PORT: '0',
      REPLAY_DIR: '/nonexistent/market-data',
    });
    const [code] = (await once(run.process, 'exit')) as [number];
    expect(code).toBe(1);
    expect(run.output()).toContain(
      'REPLAY_DIR="/nonexistent/market-data" is invalid: the folder /nonexistent/market-data does not exist.',
    );
  });

  it('warns that authentication is off without a JWT key', async () => {
    const run = start({ API_PORT: '0' });
    await waitFor(run.output, /Listening on/);

    // A warning, in Nest's text format or as a JSON log line.
    expect(run.output()).toMatch(
      /(WARN|"level":"warn").*Authentication is off/,
    );
  });

  it('refuses production without authentication, naming the settings', async () => {
    const run = start({ API_PORT: '0', NODE_ENV: 'production' });
    const [code] = (await once(run.process, 'exit')) as [number];

    expect(code).toBe(1);
    expect(run.output()).toContain(
      'NODE_ENV=production requires authentication: set JWT_SECRET, JWT_PUBLIC_KEY or JWT_JWKS_URL.',
    );
  });

  it('refuses an empty JWT_SECRET', async () => {
    const run = start({ API_PORT: '0', JWT_SECRET: '' });
    const [code] = (await once(run.process, 'exit')) as [number];

    expect(code).toBe(1);
    expect(run.output()).toContain('JWT_SECRET is set but empty');
  });

  it('logs no secret, API key or token', async () => {
    const secret = newSecret();
    const apiKey = `mk_${newSecret()}`;
    const wrongKey = `mk_${newSecret()}`;
    const run = start({
      API_PORT: '0',
      NODE_ENV: 'production',
      LOG_LEVEL: 'trace',
      JWT_SECRET: secret,
      API_KEYS_FILE: writeApiKeysFile([
        { key: apiKey, name: 'logs', scopes: ['quotes:read'] },
      ]),
    });
    const [, url = ''] = await waitFor(
      run.output,
      /Listening on (http:\/\/127\.0\.0\.1:\d+)/,
    );
    const exchange = async (body: unknown) => {
      const response = await fetch(`${url}/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return (await response.json()) as { access_token?: string };
    };
    const issued = await exchange({ apiKey });
    await exchange({ apiKey: wrongKey });
    const expired = await signHs256(secret, {
      scope: 'quotes:read',
      expiresIn: -600,
    });
    const forged = await signHs256(newSecret(), { scope: 'quotes:read' });
    const statuses: number[] = [];
    for (const token of [issued.access_token ?? '', expired, forged]) {
      const response = await fetch(`${url}/api/quotes/AAPL`, {
        headers: { authorization: `Bearer ${token}` },
      });
      await response.arrayBuffer();
      statuses.push(response.status);
    }
    run.process.kill('SIGTERM');
    await once(run.process, 'exit');
    const lines = run.output().split('\n');

    expect(statuses).toEqual([200, 401, 401]);
    // The trace-level log of a start, requests and a stop.
    expect(lines.length).toBeGreaterThan(20);
    for (const value of [
      secret,
      apiKey,
      wrongKey,
      issued.access_token ?? '',
      expired,
    ]) {
      expect(value.length).toBeGreaterThan(0);
      expect(lines.filter((line) => line.includes(value))).toEqual([]);
    }
  });
});
