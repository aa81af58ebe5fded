import { Agent, request as httpRequest } from 'node:http';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { io, type ManagerOptions, type SocketOptions } from 'socket.io-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildService, ROOT } from './support/build.js';
import {
  loopbackNginxConf,
  NGINX_CONF_PATH,
  NGINX_PATH,
  type RunningNginx,
  startNginx,
} from './support/nginx.js';
import {
  freePort,
  type OwnRedis,
  REDIS_SERVER_PATH,
  redisClient,
  startOwnRedis,
} from './support/redis.js';
import {
  type ServiceProcess,
  startServiceProcess,
  sumSamples,
} from './support/service-process.js';
import {
  emitWithAck,
  Inbox,
  type IoEvent,
  openWs,
} from './support/streaming.js';
import { describeWithTool } from './support/system-tools.js';
import { newSecret, signHs256 } from './support/tokens.js';

const outDir = path.join(ROOT, 'dist-test', 'cluster');
const INSTANCES = 3;
/** RATE_LIMIT_REQUESTS: requests per window for a token without a tier. */
const RATE_LIMIT = 5;
/** RATE_LIMIT_WINDOW in seconds, long so that one test run fits in one window. */
const RATE_WINDOW_S = 600;
/** Life of the token that must stop working through nginx when it expires, in seconds. */
const SHORT_TOKEN_LIFE_S = 2;
/** Tier of the token most tests use, high enough never to limit them. */
const BULK_TIER = 'bulk';
/** Scopes of every token here: REST lookups and stream subscriptions. */
const SCOPE = 'quotes:read stream:subscribe';
const SOCKET_CLIENTS = 100;
const STREAM_SYMBOL = 'BTC-USD';
const QUOTE_ROUTE = '/api/quotes/:symbol';
/** Maximum wait for all Socket.IO clients to connect or receive a quote, in ms. */
const CLIENT_WAIT_MS = 20_000;
/** Requests in flight at once during the stop of an instance. */
const STOP_RUN_WORKERS = 8;
/** Bounds of the request run during the stop of an instance. */
const STOP_RUN_MAX_REQUESTS = 5000;
const STOP_RUN_MAX_MS = 15_000;
/** Source addresses of that run, so that no address reaches nginx's limit of 50 a second. */
const STOP_RUN_ADDRESSES = 64;

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Sends a GET through `agent`, or else on a new connection from `localAddress`. */
function get(
  url: string,
  headers: Record<string, string>,
  options: { agent?: Agent; localAddress?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      url,
      {
        headers,
        agent: options.agent ?? false,
        localAddress: options.agent ? undefined : options.localAddress,
        timeout: 10_000,
      },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body,
          }),
        );
      },
    );
    request.on('timeout', () => request.destroy(new Error('timed out')));
    request.on('error', reject);
    request.end();
  });
}

function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/** Returns the responses with `labels` that each instance counted, read from its own /metrics. */
async function responsesPerInstance(
  instances: ServiceProcess[],
  labels: Record<string, string>,
): Promise<number[]> {
  return Promise.all(
    instances.map(async (instance) => {
      const text = await (await fetch(`${instance.apiUrl}/metrics`)).text();
      return sumSamples(text, 'api_requests_total', labels);
    }),
  );
}

function differences(after: number[], before: number[]): number[] {
  return after.map((value, index) => value - (before[index] ?? 0));
}

/** Waits until the rate-limit window has at least `marginMs` left, so a run does not straddle two windows. */
async function awaitWindowRoom(marginMs: number): Promise<void> {
  const windowMs = RATE_WINDOW_S * 1000;
  const left = windowMs - (Date.now() % windowMs);
  if (left < marginMs) await sleep(left + 100);
}

/** One Socket.IO client bound to its own loopback address, with the events and errors it received. */
interface StreamClient {
  address: string;
  socket: ReturnType<typeof io>;
  inbox: Inbox<IoEvent>;
  errors: string[];
  upgraded: Promise<void>;
}

/**
 * Connects a Socket.IO client through nginx from `address`, with the
 * default transports: HTTP long polling first, then the upgrade to
 * WebSocket. Resolves once connected, and `upgraded` resolves on the upgrade.
 */
async function connectFrom(
  url: string,
  address: string,
  token: string,
): Promise<StreamClient> {
  // engine.io-client hands `agent` to its polling requests and `agent` and
  // `localAddress` to the WebSocket. Its types declare `agent` too narrowly.
  const options = {
    agent: new Agent({ localAddress: address, keepAlive: true }),
    localAddress: address,
    reconnection: false,
    forceNew: true,
    auth: { token },
  } as unknown as Partial<ManagerOptions & SocketOptions>;
  const socket = io(url, options);
  const inbox = new Inbox<IoEvent>();
  const errors: string[] = [];
  socket.onAny((event: string, data: Record<string, unknown>) =>
    inbox.push({ event, data }),
  );
  socket.on('connect_error', (error) =>
    errors.push(`connect_error: ${error.message}`),
  );
  socket.on('disconnect', (reason) => errors.push(`disconnect: ${reason}`));
  socket.io.on('error', (error) => errors.push(`error: ${error.message}`));
  const upgraded = new Promise<void>((resolve) =>
    socket.io.engine.once('upgrade', () => resolve()),
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(new Error(`${address} did not connect: ${errors.join('; ')}`)),
      CLIENT_WAIT_MS,
    );
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
  });

  return { address, socket, inbox, errors, upgraded };
}

/** Returns the quotes a client received, in order. */
function quotesOf(
  client: StreamClient,
): { seq: number; asOf: string; price: number }[] {
  return client.inbox.items
    .filter((item) => item.event === 'quote')
    .map((item) => item.data as { seq: number; asOf: string; price: number });
}

/** Resolves with `promise`, or rejects with a timeout naming `description` after `ms`. */
async function within<T>(promise: Promise<T>, ms: number, description: string) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`timed out: ${description}`)),
      ms,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Declares the tests of three service processes behind nginx, on a Redis
 * of their own. NOTE: clients bind to source addresses such as 127.0.1.7, which
 * Linux routes to the loopback interface. macOS configures only
 * 127.0.0.1 unless more addresses are added to lo0.
 */
function clusterTests(): void {
  let redis: OwnRedis;
  let instances: ServiceProcess[] = [];
  let nginx: RunningNginx;
  let secret: string;
  /** A token of the bulk tier, which no test here runs out of. */
  let bulkToken: string;
  let clients: StreamClient[] = [];

  beforeAll(async () => {
    buildService(outDir);
    redis = await startOwnRedis();
    secret = newSecret();
    const env = {
      REDIS_URL: redis.url,
      JWT_SECRET: secret,
      RATE_LIMIT_REQUESTS: String(RATE_LIMIT),
      RATE_LIMIT_WINDOW: String(RATE_WINDOW_S),
      RATE_LIMIT_TIERS: `${BULK_TIER}:1000000`,
      TRUSTED_PROXIES: '127.0.0.1',
      // No leeway past `exp`, so that a short-lived token expires on time.
      JWT_CLOCK_TOLERANCE: '0',
      LOG_LEVEL: 'warn',
      SHUTDOWN_DRAIN_DELAY: '0.5',
      SWAGGER_ENABLED: 'false',
    };
    const main = path.join(outDir, 'main.js');
    const started = await Promise.allSettled(
      Array.from({ length: INSTANCES }, () => startServiceProcess(main, env)),
    );
    // Keep every started instance, so that afterAll stops it even when another failed.
    for (const result of started)
      if (result.status === 'fulfilled') instances.push(result.value);
    const failed = started.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    const listenPort = await freePort();
    const conf = loopbackNginxConf(readFileSync(NGINX_CONF_PATH, 'utf8'), {
      listenPort,
      apiPorts: instances.map((instance) => instance.apiPort),
      streamPorts: instances.map((instance) => instance.streamPort),
    });
    nginx = await startNginx(conf, listenPort);
    bulkToken = await signHs256(secret, {
      subject: 'bulk',
      tier: BULK_TIER,
      scope: SCOPE,
    });
  }, 90_000);

  afterAll(async () => {
    for (const client of clients) client.socket.close();
    await nginx?.stop();
    await Promise.all(instances.map((instance) => instance.stop()));
    await redis?.stop();
  }, 30_000);

  it('spreads requests over every instance', async () => {
    const labels = { route: QUOTE_ROUTE, status: '200' };
    const before = await responsesPerInstance(instances, labels);
    const statuses: number[] = [];

    for (let index = 0; index < 30; index += 1) {
      const reply = await fetch(`${nginx.url}/api/quotes/AAPL`, {
        headers: bearer(bulkToken),
      });
      await reply.arrayBuffer();
      statuses.push(reply.status);
    }
    const served = differences(
      await responsesPerInstance(instances, labels),
      before,
    );

    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    expect(served.reduce((sum, count) => sum + count, 0)).toBe(30);
    for (const count of served) expect(count).toBeGreaterThan(0);
  });

  it('shares the quote cache', async () => {
    const first = await fetch(`${nginx.url}/api/quotes/MSFT`, {
      headers: bearer(bulkToken),
    });
    const quote = (await first.json()) as { asOf: string; price: number };

    expect(first.status).toBe(200);
    expect(first.headers.get('x-cache')).toBe('MISS');
    for (const instance of instances) {
      const direct = await fetch(`${instance.apiUrl}/api/quotes/MSFT`, {
        headers: bearer(bulkToken),
      });
      const body = (await direct.json()) as { asOf: string; price: number };

      expect(direct.status).toBe(200);
      expect(direct.headers.get('x-cache')).toBe('HIT');
      expect(body.asOf).toBe(quote.asOf);
      expect(body.price).toBe(quote.price);
    }
  });

  it('shares one client rate limit', async () => {
    const token = await signHs256(secret, {
      subject: 'limited',
      scope: SCOPE,
    });
    const extra = 4;
    await awaitWindowRoom(3000);
    const before = await responsesPerInstance(instances, {
      route: QUOTE_ROUTE,
      status: '200',
    });
    const replies: Reply[] = [];

    for (let index = 0; index < RATE_LIMIT + extra; index += 1)
      replies.push(await get(`${nginx.url}/api/quotes/AAPL`, bearer(token)));
    const admitted = differences(
      await responsesPerInstance(instances, {
        route: QUOTE_ROUTE,
        status: '200',
      }),
      before,
    );
    const rejected = replies.filter((reply) => reply.status === 429);

    expect(replies.filter((reply) => reply.status === 200)).toHaveLength(
      RATE_LIMIT,
    );
    expect(rejected).toHaveLength(extra);
    for (const reply of rejected) {
      expect(Number(reply.headers['retry-after'])).toBeGreaterThan(0);
      expect(JSON.parse(reply.body)).toMatchObject({ code: 'RATE_LIMITED' });
      // The API's 429 carries X-RateLimit headers, and nginx's own 429 does not.
      expect(reply.headers['x-ratelimit-limit']).toBe(String(RATE_LIMIT));
    }
    // Several instances admitted requests, and together no more than the limit.
    expect(admitted.filter((count) => count > 0).length).toBeGreaterThan(1);
    expect(admitted.reduce((sum, count) => sum + count, 0)).toBe(RATE_LIMIT);
  });

  it('caches info per client in nginx', async () => {
    const other = await signHs256(secret, {
      subject: 'other',
      tier: BULK_TIER,
      scope: SCOPE,
    });
    const info = `${nginx.url}/api/stocks/AAPL/info`;

    const first = await get(info, bearer(bulkToken));
    const second = await get(info, bearer(bulkToken));
    const otherClient = await get(info, bearer(other));
    const anonymous = await get(info, {});
    const profile = await get(
      `${nginx.url}/api/crypto/BTC-USD/profile`,
      bearer(bulkToken),
    );
    const profileAgain = await get(
      `${nginx.url}/api/crypto/BTC-USD/profile`,
      bearer(bulkToken),
    );

    expect(first.status).toBe(200);
    expect(first.headers['x-cache-status']).toBe('MISS');
    expect(second.status).toBe(200);
    expect(second.headers['x-cache-status']).toBe('HIT');
    expect(second.body).toBe(first.body);
    expect(second.headers['x-ratelimit-remaining']).toBeUndefined();
    expect(otherClient.headers['x-cache-status']).toBe('MISS');
    expect(anonymous.status).toBe(401);
    expect(JSON.parse(anonymous.body)).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(profile.headers['x-cache-status']).toBe('MISS');
    expect(profileAgain.headers['x-cache-status']).toBe('HIT');
  });

  it('rejects an expired token with a cached response', async () => {
    // nginx sends each info and profile request to the API's token check
    // first, so a cached response does not outlive the token.
    const shortLived = await signHs256(secret, {
      subject: 'short-lived',
      tier: BULK_TIER,
      scope: SCOPE,
      expiresIn: SHORT_TOKEN_LIFE_S,
    });
    const paths = ['/api/stocks/AAPL/info', '/api/crypto/BTC-USD/profile'];

    for (const route of paths) {
      await get(`${nginx.url}${route}`, bearer(shortLived));
      const cached = await get(`${nginx.url}${route}`, bearer(shortLived));
      expect(cached.status).toBe(200);
      expect(cached.headers['x-cache-status']).toBe('HIT');
    }
    await sleep(SHORT_TOKEN_LIFE_S * 1000 + 1500);
    for (const route of paths) {
      const expired = await get(`${nginx.url}${route}`, bearer(shortLived));
      expect(expired.status).toBe(401);
      expect(JSON.parse(expired.body)).toMatchObject({
        code: 'TOKEN_EXPIRED',
      });
      expect(expired.headers['x-cache-status']).toBeUndefined();
    }
  });

  it('passes health through and hides metrics', async () => {
    const ready = await get(`${nginx.url}/health/ready`, {});
    const metrics = await get(`${nginx.url}/metrics`, {});

    expect(ready.status).toBe(200);
    expect(ready.headers['x-cache-status']).toBeUndefined();
    expect(ready.headers['x-ratelimit-limit']).toBeUndefined();
    expect(metrics.status).toBe(403);
  });

  it('limits one address in nginx', async () => {
    const agent = new Agent({ localAddress: '127.0.3.1', maxSockets: 200 });
    try {
      const started = Date.now();
      const replies = await Promise.all(
        Array.from({ length: 200 }, () =>
          get(`${nginx.url}/api/quotes/AAPL`, bearer(bulkToken), { agent }),
        ),
      );
      const seconds = (Date.now() - started) / 1000;
      const limited = replies.filter((reply) => reply.status === 429);
      const admitted = replies.filter((reply) => reply.status === 200);

      expect(limited.length).toBeGreaterThan(0);
      // The first request, the burst of 100, and what 50 a second refill while the run lasts.
      expect(admitted.length).toBeLessThanOrEqual(
        101 + Math.ceil(50 * seconds),
      );
      expect(admitted.length + limited.length).toBe(200);
      expect(limited[0]!.headers['retry-after']).toBe('1');
      expect(limited[0]!.headers['content-type']).toBe(
        'application/problem+json',
      );
      expect(JSON.parse(limited[0]!.body)).toMatchObject({
        status: 429,
        code: 'RATE_LIMITED',
      });
    } finally {
      agent.destroy();
    }
  });

  it('carries /ws through nginx', async () => {
    const ws = await openWs(`${nginx.url.replace('http:', 'ws:')}/ws`);
    try {
      ws.send({ action: 'auth', token: bulkToken });
      await ws.inbox.next(
        (message) => message.type === 'authenticated',
        'the authentication reply',
      );
      ws.send({ action: 'subscribe', symbols: [STREAM_SYMBOL] });
      const quote = await ws.inbox.next(
        (message) => message.type === 'quote',
        'a quote over /ws',
      );

      expect(quote.symbol).toBe(STREAM_SYMBOL);
    } finally {
      ws.socket.close();
    }
  });

  it('keeps Socket.IO sessions on one instance', async () => {
    // Every client is in one /24 network: ip_hash would put all of them
    // on one instance, and hash $remote_addr spreads them.
    const addresses = Array.from(
      { length: SOCKET_CLIENTS },
      (_unused, index) => `127.0.1.${index + 1}`,
    );
    clients = await Promise.all(
      addresses.map((address) => connectFrom(nginx.url, address, bulkToken)),
    );
    await within(
      Promise.all(clients.map((client) => client.upgraded)),
      CLIENT_WAIT_MS,
      'every client upgrading to WebSocket',
    );
    const perInstance = await Promise.all(
      instances.map(async (instance) =>
        sumSamples(
          await (await fetch(`${instance.apiUrl}/metrics`)).text(),
          'websocket_connections_active',
          { transport: 'socket.io' },
        ),
      ),
    );

    expect(clients.flatMap((client) => client.errors)).toEqual([]);
    for (const client of clients)
      expect(client.socket.io.engine.transport.name).toBe('websocket');
    expect(perInstance.reduce((sum, count) => sum + count, 0)).toBe(
      SOCKET_CLIENTS,
    );
    expect(perInstance.filter((count) => count > 0).length).toBeGreaterThan(1);
  });

  it('fans a tick out to every instance', async () => {
    expect(clients).toHaveLength(SOCKET_CLIENTS);
    await Promise.all(
      clients.map((client) =>
        emitWithAck(client.socket, 'subscribe', { symbols: [STREAM_SYMBOL] }),
      ),
    );
    // A tick that comes after every client's snapshot on subscribe.
    await within(
      Promise.all(
        clients.map((client) =>
          client.inbox.next((item) => item.event === 'quote', 'a first quote'),
        ),
      ),
      CLIENT_WAIT_MS,
      'a first quote on every client',
    );
    const target =
      Math.max(...clients.map((client) => quotesOf(client)[0]!.seq)) + 1;
    await within(
      Promise.all(
        clients.map((client) =>
          client.inbox.next(
            (item) =>
              item.event === 'quote' && (item.data.seq as number) >= target,
            `quote ${target}`,
            CLIENT_WAIT_MS,
          ),
        ),
      ),
      CLIENT_WAIT_MS,
      `quote ${target} on every client`,
    );
    const copies = clients.map((client) =>
      quotesOf(client).find((quote) => quote.seq === target),
    );
    const subscribers = await Promise.all(
      instances.map(async (instance) =>
        sumSamples(
          await (await fetch(`${instance.apiUrl}/metrics`)).text(),
          'stream_subscriptions_active',
        ),
      ),
    );
    const leases = await redisClient(redis.url);
    const lease = await leases.exists(`mda:stream:feed:${STREAM_SYMBOL}`);
    await leases.close();

    expect(copies.filter((copy) => copy === undefined)).toEqual([]);
    // One tick: every client on every instance got the same quote.
    expect(new Set(copies.map((copy) => copy!.asOf)).size).toBe(1);
    expect(new Set(copies.map((copy) => copy!.price)).size).toBe(1);
    // One feed in the cluster, and subscribers on more than one instance.
    expect(lease).toBe(1);
    expect(subscribers.filter((count) => count > 0).length).toBeGreaterThan(1);
    expect(clients.flatMap((client) => client.errors)).toEqual([]);

    for (const client of clients) client.socket.close();
    clients = [];
  });

  it('writes no Redis key without a TTL', async () => {
    const client = await redisClient(redis.url);
    const withoutTtl: string[] = [];
    const keys: string[] = [];
    try {
      for await (const batch of client.scanIterator({ COUNT: 500 })) {
        for (const key of batch) {
          keys.push(key);
          // PTTL returns -1 for a key without a TTL, and -2 for one that expired after the scan.
          if ((await client.pTTL(key)) === -1) withoutTtl.push(key);
        }
      }
    } finally {
      await client.close();
    }
    const kinds = new Set(
      keys.map(
        (key) => /^mda:(v1|ratelimit|stream:feed|stream:last)/.exec(key)?.[1],
      ),
    );

    // docker-compose.yml's volatile-lru evicts only keys with a TTL, so a key
    // without one would stay however full Redis gets.
    expect(withoutTtl).toEqual([]);
    for (const kind of ['v1', 'ratelimit', 'stream:feed', 'stream:last'])
      expect(kinds.has(kind), `a key of mda:${kind}`).toBe(true);
  });

  it('loses no GET while an instance stops', async () => {
    const stopping = instances[INSTANCES - 1]!;
    const agents = Array.from(
      { length: STOP_RUN_ADDRESSES },
      (_unused, index) =>
        new Agent({ localAddress: `127.0.2.${index + 1}`, keepAlive: true }),
    );
    const statuses: number[] = [];
    const failures: string[] = [];
    let exitedAt: number | null = null;
    const started = Date.now();
    const running = () =>
      statuses.length + failures.length < STOP_RUN_MAX_REQUESTS &&
      Date.now() - started < STOP_RUN_MAX_MS &&
      (exitedAt === null || Date.now() - exitedAt < 500);
    const worker = async (offset: number) => {
      for (let index = offset; running(); index += STOP_RUN_WORKERS) {
        try {
          const reply = await get(
            `${nginx.url}/api/quotes/AAPL`,
            bearer(bulkToken),
            { agent: agents[index % STOP_RUN_ADDRESSES] },
          );
          statuses.push(reply.status);
        } catch (error) {
          failures.push(error instanceof Error ? error.message : String(error));
        }
      }
    };

    const run = Promise.all(
      Array.from({ length: STOP_RUN_WORKERS }, (_unused, offset) =>
        worker(offset),
      ),
    );
    const servedAtStart = await responsesPerInstance([stopping], {
      route: QUOTE_ROUTE,
      status: '200',
    });
    await sleep(500);
    const servedBeforeStop = await responsesPerInstance([stopping], {
      route: QUOTE_ROUTE,
      status: '200',
    });
    const beforeStop = statuses.length;
    const code = await stopping.stop('SIGTERM');
    exitedAt = Date.now();
    const atExit = statuses.length;
    await run;
    for (const agent of agents) agent.destroy();

    expect(code).toBe(0);
    expect(failures).toEqual([]);
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    expect(beforeStop).toBeGreaterThan(0);
    // The instance took its share of the run until it stopped.
    expect(servedBeforeStop[0]! - servedAtStart[0]!).toBeGreaterThan(0);
    expect(atExit - beforeStop).toBeGreaterThan(0);
    expect(statuses.length - atExit).toBeGreaterThan(0);
  });
}

describeWithTool('redis-server', REDIS_SERVER_PATH, 'cluster', () => {
  describeWithTool(
    'nginx-light',
    NGINX_PATH,
    'three instances behind nginx',
    clusterTests,
  );
});
