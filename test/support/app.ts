import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test, type TestingModuleBuilder } from '@nestjs/testing';
import { AppModule } from '../../src/app.module.js';
import { configureApp, createAdapter } from '../../src/app.setup.js';
import { Clock } from '../../src/common/clock.js';
import { AppConfig } from '../../src/config/app-config.js';

export interface TestApp {
  app: NestFastifyApplication;
  baseUrl: string;
  /** GET (or another method) against the running app over loopback HTTP. */
  request(pathAndQuery: string, init?: RequestInit): Promise<Response>;
  /** GET and parse JSON; fails the test on a non-JSON body. */
  json<T = Record<string, unknown>>(
    pathAndQuery: string,
    init?: RequestInit,
  ): Promise<{ status: number; body: T; response: Response }>;
  close(): Promise<void>;
}

/**
 * Settings that turn caching off, for tests that read a fake upstream's
 * recorded calls and so need every request to reach it.
 */
export const NO_CACHE: Readonly<Record<string, string>> = {
  CACHE_TTL: '0',
  CACHE_TTL_QUOTE: '0',
  CACHE_TTL_PROFILE: '0',
  CACHE_TTL_HISTORY: '0',
};

export interface TestAppOptions {
  env?: Record<string, string>;
  /** Fixed time in epoch ms for the market calendar and the sources. */
  now?: number;
}

export interface BootOptions extends TestAppOptions {
  /** Replaces providers before the module compiles. */
  override?: (builder: TestingModuleBuilder) => TestingModuleBuilder;
}

/**
 * Boots the whole application on port 0 of 127.0.0.1 with the given settings
 * and returns it listening, with its base URL. The settings come only from
 * `env`: the working directory is an empty temporary folder, so no `.env` or
 * YAML of the checkout leaks in.
 */
export async function bootApp(
  options: BootOptions = {},
): Promise<{ app: NestFastifyApplication; baseUrl: string }> {
  const cwd = mkdtempSync(path.join(tmpdir(), 'market-data-app-'));
  // WS_PORT=0 puts the streaming server on a free port, so that test apps
  // running side by side do not compete for the default 8001.
  const env = { LOG_LEVEL: 'error', WS_PORT: '0', ...options.env };
  let builder = Test.createTestingModule({
    imports: [AppModule.register({ env, cwd })],
  });
  if (options.now !== undefined) {
    const fixed = options.now;
    builder = builder.overrideProvider(Clock).useValue({ now: () => fixed });
  }
  if (options.override) builder = options.override(builder);
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(
    createAdapter(moduleRef.get(AppConfig)),
  );
  await configureApp(app);
  await app.listen(0, '127.0.0.1');
  const baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');

  return { app, baseUrl };
}

/** Boots the whole application (see bootApp) with helpers to call it over HTTP. */
export async function startTestApp(
  options: TestAppOptions = {},
): Promise<TestApp> {
  const { app, baseUrl } = await bootApp(options);

  const request = (pathAndQuery: string, init?: RequestInit) =>
    fetch(baseUrl + pathAndQuery, init);

  return {
    app,
    baseUrl,
    request,
    async json<T>(pathAndQuery: string, init?: RequestInit) {
      const response = await request(pathAndQuery, init);
      const text = await response.text();
      let body: T;
      try {
        body = JSON.parse(text) as T;
      } catch {
        throw new Error(
          `${pathAndQuery} answered ${response.status} with a non-JSON body: ${text.slice(0, 200)}`,
        );
      }

      return { status: response.status, body, response };
    },
    close: () => app.close(),
  };
}
