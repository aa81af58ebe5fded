import fastifyCompress from '@fastify/compress';
import fastifyEtag from '@fastify/etag';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import {
  recordSentHeaders,
  type SentHeaders,
  sendsSameHeaders,
  writeSent,
} from './sent-headers.js';

const SMALL = JSON.stringify({ symbol: 'AAPL', price: 187.5 });
/** Above the compression plugin's default threshold of 1024 bytes. */
const LARGE = JSON.stringify({ symbol: 'AAPL', note: 'x'.repeat(2000) });

/**
 * Starts a server whose `/sent` route sends a body through the hooks and
 * records the headers, and whose `/direct` route writes them back.
 */
async function server(body: string): Promise<{
  app: FastifyInstance;
  /** What each response of `/sent` recorded, oldest first. */
  records: (SentHeaders | null)[];
  recorded: () => SentHeaders | null;
}> {
  const records: (SentHeaders | null)[] = [];
  const recorded = () => records.at(-1) ?? null;
  const app = Fastify();
  app.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    done();
  });
  await app.register(fastifyEtag);
  await app.register(fastifyCompress, { encodings: ['gzip'] });
  app.addHook('onResponse', (request, reply, done) => {
    if (request.url === '/sent')
      records.push(recordSentHeaders(request, reply));
    done();
  });
  app.get('/sent', (request, reply) => {
    void reply.header('content-type', 'application/json').send(body);
  });
  app.get('/direct', (request, reply) => {
    const sent = recorded();
    if (sent !== null) writeSent(reply, sent, body);
    else void reply.code(409).send('nothing recorded');
  });

  return { app, records, recorded };
}

describe('sent headers', () => {
  let app: FastifyInstance | undefined;

  afterEach(async () => {
    await app?.close();
  });

  it('write back the hooks’ headers', async () => {
    const started = await server(SMALL);
    app = started.app;
    const sent = await app.inject({ url: '/sent' });

    const direct = await app.inject({ url: '/direct' });

    expect(sent.statusCode).toBe(200);
    expect(direct.statusCode).toBe(200);
    expect(direct.body).toBe(SMALL);
    expect(direct.headers.etag).toBe(sent.headers.etag);
    expect(direct.headers['content-length']).toBe(String(SMALL.length));
    expect(direct.headers['x-request-id']).toBeDefined();
    expect(direct.headers['x-request-id']).not.toBe(
      sent.headers['x-request-id'],
    );
    expect(started.recorded()?.headers.map(([name]) => name)).toEqual([
      'content-type',
      'etag',
      'content-length',
    ]);
  });

  it('skip a compressed response', async () => {
    const started = await server(LARGE);
    app = started.app;

    const sent = await app.inject({
      url: '/sent',
      headers: { 'accept-encoding': 'gzip' },
    });

    expect(sent.headers['content-encoding']).toBe('gzip');
    expect(started.recorded()).toBeNull();
  });

  it('skip a request that turns compression off', async () => {
    const started = await server(LARGE);
    app = started.app;
    const uncompressed = await app.inject({
      url: '/sent',
      headers: { 'accept-encoding': 'gzip', 'x-no-compression': '1' },
    });
    const compressed = await app.inject({
      url: '/sent',
      headers: { 'accept-encoding': 'gzip' },
    });

    expect(uncompressed.headers['content-encoding']).toBeUndefined();
    expect(compressed.headers['content-encoding']).toBe('gzip');
    // The compression plugin reads X-No-Compression too, so a response sent
    // without compression for it must not be written for other requests.
    expect(started.records).toEqual([null, null]);
  });

  it('skip a revalidation', async () => {
    const started = await server(SMALL);
    app = started.app;
    const first = await app.inject({ url: '/sent' });

    const notModified = await app.inject({
      url: '/sent',
      headers: { 'if-none-match': String(first.headers.etag) },
    });
    const otherTag = await app.inject({
      url: '/sent',
      headers: { 'if-none-match': '"other"' },
    });

    expect(notModified.statusCode).toBe(304);
    expect(otherTag.statusCode).toBe(200);
    expect(started.records[0]).not.toBeNull();
    expect(started.records.slice(1)).toEqual([null, null]);
  });

  it('match only the same request headers', async () => {
    const started = await server(SMALL);
    app = started.app;
    await app.inject({
      url: '/sent',
      headers: { origin: 'https://a.example', 'accept-encoding': 'gzip' },
    });
    const sent = started.recorded();
    if (sent === null) throw new Error('no headers recorded');
    const same = { origin: 'https://a.example', 'accept-encoding': 'gzip' };

    expect(sendsSameHeaders(sent, same)).toBe(true);
    expect(
      sendsSameHeaders(sent, { ...same, origin: 'https://b.example' }),
    ).toBe(false);
    expect(sendsSameHeaders(sent, { origin: 'https://a.example' })).toBe(false);
    expect(sendsSameHeaders(sent, { ...same, 'if-none-match': '"x"' })).toBe(
      false,
    );
  });
});
