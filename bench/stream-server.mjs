// Serves one variant of the streaming fan-out benchmark on 127.0.0.1 and
// prints `{"port":N}` on a line of its own. The variants:
// - `product`: the full application, with its Socket.IO gateway and `/ws` on
//   one streaming port, fed by the simulated source;
// - `socketio`: a bare Socket.IO server that broadcasts to one room per symbol;
// - `ws`: a bare `ws` server at `/ws` that sends one frame per quote to the
//   subscribers of its symbol.
// Settings come from the environment: SYMBOLS (comma-separated), TICK_MS
// (milliseconds between ticks of every symbol) and, for the bare servers,
// TEMPLATE (a JSON object of one product quote per symbol, so that their
// messages have the same fields and size).
import 'reflect-metadata';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Test } from '@nestjs/testing';
import { Server } from 'socket.io';
import { WebSocketServer } from 'ws';
import { AppModule } from '../dist/app.module.js';
import { configureApp, createAdapter } from '../dist/app.setup.js';
import { SimulatedSource } from '../dist/providers/simulated/simulated.adapter.js';
import { MARKET_DATA_SOURCES } from '../dist/providers/source-registry.service.js';
import { StreamServer } from '../dist/streaming/stream-server.service.js';

const variant = process.argv[2];
const symbols = (process.env.SYMBOLS ?? '').split(',').filter(Boolean);
const tickMs = Number(process.env.TICK_MS ?? '100');
/** Connections the product accepts; its default of 10,000 would stop the 15,000-client load. */
const maxConnections = process.env.MAX_CONNECTIONS ?? '20000';

/** Sends the source's log lines to stderr, so that stdout carries only the port. */
const stderrLogger = {
  log: () => undefined,
  warn: (message) => console.error(message),
  error: (message) => console.error(message),
};

/**
 * Boots the application with the simulated source ticking every TICK_MS.
 * The source is built here, with the tick interval its constructor accepts,
 * and replaces the configured sources, because no setting changes the
 * simulated tick interval (1 s). Everything after the source runs unchanged.
 */
async function product() {
  const env = {
    LOG_LEVEL: 'error',
    API_HOST: '127.0.0.1',
    WS_PORT: '0',
    SWAGGER_ENABLED: 'false',
    QUOTE_PROVIDERS: 'simulated',
    STREAM_PROVIDERS: 'simulated',
    SIMULATED_SYMBOLS: symbols.join(','),
    WS_MAX_CONNECTIONS: maxConnections,
  };
  const source = new SimulatedSource({
    seed: 42,
    symbols,
    tickIntervalMs: tickMs,
    logger: stderrLogger,
  });
  const cwd = mkdtempSync(path.join(tmpdir(), 'stream-bench-'));
  const moduleRef = await Test.createTestingModule({
    imports: [AppModule.register({ env, cwd })],
  })
    .overrideProvider(MARKET_DATA_SOURCES)
    .useValue([source])
    .compile();
  const app = moduleRef.createNestApplication(createAdapter(), {
    logger: ['fatal', 'error'],
  });
  app.enableShutdownHooks();
  await configureApp(app);
  await app.listen(0, '127.0.0.1');

  return app.get(StreamServer).port();
}

/** Returns a function that builds the next quote of a symbol from its TEMPLATE quote. */
function quoteMaker() {
  const templates = JSON.parse(process.env.TEMPLATE ?? '{}');
  const seqs = new Map(symbols.map((symbol) => [symbol, 0]));

  return (symbol, asOf) => {
    const seq = seqs.get(symbol) + 1;
    seqs.set(symbol, seq);

    return { ...templates[symbol], symbol, asOf, seq };
  };
}

/** Calls `emit(symbol, asOf)` for every symbol every TICK_MS, all with one time. */
function tickEvery(emit) {
  setInterval(() => {
    const asOf = new Date().toISOString();
    for (const symbol of symbols) emit(symbol, asOf);
  }, tickMs);
}

async function listen(server) {
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));

  return server.address().port;
}

/** Socket.IO with the options the product's gateway sets, and rooms for symbols. */
async function bareSocketIo() {
  const http = createServer();
  const io = new Server(http, {
    serveClient: false,
    pingInterval: 25_000,
    pingTimeout: 25_000,
    maxHttpBufferSize: 64 * 1024,
    perMessageDeflate: false,
  });
  const known = new Set(symbols);
  io.on('connection', (socket) => {
    socket.on('subscribe', (body, ack) => {
      const requested = (body?.symbols ?? []).filter((s) => known.has(s));
      socket.join(requested);
      if (typeof ack === 'function')
        ack({ subscribed: requested, rejected: [] });
    });
  });
  const makeQuote = quoteMaker();
  tickEvery((symbol, asOf) =>
    io.to(symbol).emit('quote', makeQuote(symbol, asOf)),
  );

  return listen(http);
}

/** Serves plain WebSocket at /ws, serializing each quote once for all its subscribers. */
async function bareWs() {
  const http = createServer((request, response) => {
    response.writeHead(404).end();
  });
  const wss = new WebSocketServer({
    server: http,
    path: '/ws',
    perMessageDeflate: false,
  });
  const subscribers = new Map(symbols.map((symbol) => [symbol, new Set()]));
  wss.on('connection', (socket) => {
    socket.on('error', () => undefined);
    socket.on('message', (data) => {
      let request;
      try {
        request = JSON.parse(data.toString());
      } catch {
        return;
      }
      const requested = (request.symbols ?? []).filter((s) =>
        subscribers.has(s),
      );
      for (const symbol of requested) subscribers.get(symbol).add(socket);
      socket.send(
        JSON.stringify({
          type: 'subscribed',
          subscribed: requested,
          rejected: [],
        }),
      );
    });
    socket.on('close', () => {
      for (const set of subscribers.values()) set.delete(socket);
    });
  });
  const makeQuote = quoteMaker();
  tickEvery((symbol, asOf) => {
    const frame = JSON.stringify({ type: 'quote', ...makeQuote(symbol, asOf) });
    for (const socket of subscribers.get(symbol)) socket.send(frame);
  });

  return listen(http);
}

const variants = { product, socketio: bareSocketIo, ws: bareWs };
if (!variants[variant]) {
  console.error(
    `unknown variant "${variant}"; use ${Object.keys(variants).join(', ')}`,
  );
  process.exit(2);
}
if (symbols.length === 0 || !(tickMs > 0)) {
  console.error('SYMBOLS and a positive TICK_MS must be set');
  process.exit(2);
}
// The product closes on SIGTERM through Nest's shutdown hooks; the bare
// servers have nothing to flush.
if (variant !== 'product') process.once('SIGTERM', () => process.exit(0));
const port = await variants[variant]();
process.stdout.write(`${JSON.stringify({ port })}\n`);
