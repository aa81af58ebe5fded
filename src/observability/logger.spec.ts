import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

/** Creates a destination that keeps every line written to it. */
function memoryStream() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });

  return { stream, lines };
}

describe('createLogger', () => {
  let dir: string | undefined;

  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('writes JSON lines with a level name and ISO time', () => {
    const { stream, lines } = memoryStream();
    createLogger({ logLevel: 'info', logFile: null }, stream).info('started');
    const line = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
    expect(line.level).toBe('info');
    expect(line.msg).toBe('started');
    expect(new Date(line.time as string).toISOString()).toBe(line.time);
  });

  it('redacts credentials in headers and fields', () => {
    const { stream, lines } = memoryStream();
    const logger = createLogger({ logLevel: 'info', logFile: null }, stream);
    logger.info(
      {
        req: {
          headers: {
            authorization: 'Bearer secret-token',
            'x-api-key': 'secret-key',
            accept: 'application/json',
          },
        },
        token: 'secret-token',
        upstream: { apiKey: 'secret-key' },
      },
      'request',
    );
    const text = lines.join('\n');
    expect(text).not.toContain('secret-token');
    expect(text).not.toContain('secret-key');
    expect(text).toContain('application/json');
    expect(text).toContain('[Redacted]');
  });

  it('drops lines below the level', () => {
    const { stream, lines } = memoryStream();
    const logger = createLogger({ logLevel: 'warn', logFile: null }, stream);
    logger.info('hidden');
    logger.warn('shown');
    expect(
      lines.map((line) => (JSON.parse(line) as { msg: string }).msg),
    ).toEqual(['shown']);
  });

  it('copies every line to LOG_FILE', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'market-data-log-'));
    const file = path.join(dir, 'nested', 'api.log');
    const { stream, lines } = memoryStream();
    const logger = createLogger({ logLevel: 'debug', logFile: file }, stream);
    logger.debug('first');
    logger.error('second');
    logger.flush();
    // The file stream opens and writes asynchronously.
    const read = () =>
      existsSync(file)
        ? readFileSync(file, 'utf8').split('\n').filter(Boolean)
        : [];
    for (let round = 0; round < 100 && read().length < 2; round += 1)
      await new Promise((resolve) => setTimeout(resolve, 20));
    const written = read();
    expect(written).toEqual(lines);
    expect(written).toHaveLength(2);
  });
});
