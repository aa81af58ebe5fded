// One client process of the streaming fan-out benchmark, forked by
// stream-fanout.mjs. It opens `count` WebSocket connections, subscribes each to
// one symbol, and between the parent's `start` and `stop` messages counts the
// quotes received and their delay from the server's tick (the quote's `asOf`)
// to receipt, in whole milliseconds. Both clocks are the same machine's.
// Socket.IO is spoken directly over `ws` (Engine.IO 4, Socket.IO 5 packets),
// so that parsing a message costs the client as little as it can.
//
// The parent passes one JSON argument:
//   { url, protocol: 'socketio' | 'ws', count, firstIndex, symbols,
//     concurrency, connectTimeoutMs, maxSeconds }
// Connection i (counted from firstIndex across all client processes)
// subscribes to symbols[i % symbols.length].
import { WebSocket } from 'ws';

const options = JSON.parse(process.argv[2]);
const { protocol, count, firstIndex, symbols, concurrency } = options;

// A process the parent forgot, or one whose parent died, still ends.
setTimeout(() => process.exit(3), options.maxSeconds * 1000).unref();
process.on('disconnect', () => process.exit(0));

const socketUrl =
  protocol === 'socketio'
    ? `${options.url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`
    : `${options.url.replace(/^http/, 'ws')}/ws`;

let measuring = false;
const counters = newCounters();
const sockets = [];

function newCounters() {
  return {
    received: 0,
    bytes: 0,
    /** Count of quotes per delay in ms. */
    delays: new Map(),
    /** Quotes skipped, from gaps in `seq`. */
    skipped: 0,
    closed: 0,
    errors: 0,
  };
}

/** Counts one received quote whose text contains `"asOf":"<ISO time>"` and `"seq":N`. */
function countQuote(text, state) {
  if (!measuring) return;
  const now = Date.now();
  const asOfAt = text.indexOf('"asOf":"') + 8;
  const emitted = Date.parse(text.slice(asOfAt, asOfAt + 24));
  const delay = Math.max(0, now - emitted);
  counters.delays.set(delay, (counters.delays.get(delay) ?? 0) + 1);
  counters.received += 1;
  counters.bytes += text.length;
  const seq = Number.parseInt(text.slice(text.lastIndexOf('"seq":') + 6), 10);
  if (state.seq > 0 && seq > state.seq + 1)
    counters.skipped += seq - state.seq - 1;
  state.seq = seq;
}

/**
 * Opens one connection and subscribes it to `symbol`; resolves once the
 * subscription is acknowledged, rejects on an error, a close or a timeout.
 */
function connect(symbol) {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(socketUrl, {
      perMessageDeflate: false,
      skipUTF8Validation: true,
    });
    const state = { seq: 0 };
    let subscribed = false;
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error(`subscription to ${symbol} timed out`));
    }, options.connectTimeoutMs);
    const fail = (error) => {
      clearTimeout(timer);
      socket.terminate();
      reject(error);
    };
    const done = () => {
      clearTimeout(timer);
      subscribed = true;
      resolve(socket);
    };
    socket.on('error', (error) => {
      if (subscribed && measuring) counters.errors += 1;
      if (!subscribed) fail(error);
    });
    socket.on('close', () => {
      if (subscribed && measuring) counters.closed += 1;
      if (!subscribed) fail(new Error(`connection closed before subscribing`));
    });
    const request = JSON.stringify({ symbols: [symbol] });
    if (protocol === 'ws') {
      socket.on('open', () =>
        socket.send(
          `{"action":"subscribe","symbols":${JSON.stringify([symbol])}}`,
        ),
      );
      socket.on('message', (data) => {
        const text = data.toString();
        if (text.startsWith('{"type":"quote"')) countQuote(text, state);
        else if (text.startsWith('{"type":"subscribed"'))
          acceptResult(JSON.parse(text), symbol, done, fail);
        else if (!subscribed) fail(new Error(`unexpected message ${text}`));
      });
      return;
    }
    socket.on('message', (data) => {
      const text = data.toString();
      if (text.startsWith('42["quote"')) countQuote(text, state);
      else if (text === '2') socket.send('3');
      else if (text.startsWith('0{')) socket.send('40');
      else if (text.startsWith('40'))
        socket.send(`420["subscribe",${request}]`);
      else if (text.startsWith('430['))
        acceptResult(JSON.parse(text.slice(3))[0], symbol, done, fail);
      else if (text.startsWith('44'))
        fail(new Error(`connect_error ${text.slice(2)}`));
    });
  });
}

function acceptResult(result, symbol, done, fail) {
  if (result?.subscribed?.includes(symbol)) done();
  else fail(new Error(`subscription rejected: ${JSON.stringify(result)}`));
}

/** Connects every client, at most `concurrency` at a time. */
async function connectAll() {
  let next = 0;
  let failed = 0;
  let firstError = null;
  const worker = async () => {
    while (next < count) {
      const index = firstIndex + next;
      next += 1;
      try {
        sockets.push(await connect(symbols[index % symbols.length]));
      } catch (error) {
        failed += 1;
        firstError ??= error.message;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));

  return { connected: sockets.length, failed, firstError };
}

process.on('message', (message) => {
  if (message === 'start') {
    Object.assign(counters, newCounters());
    measuring = true;
  } else if (message === 'stop') {
    measuring = false;
    process.send({
      type: 'result',
      ...counters,
      delays: [...counters.delays],
    });
  } else if (message === 'exit') {
    for (const socket of sockets) socket.terminate();
    process.exit(0);
  }
});

const summary = await connectAll();
process.send({ type: 'ready', ...summary });
