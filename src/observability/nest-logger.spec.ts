import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';
import { currentContext, requestContext } from '../common/request-deadline.js';
import {
  logForRequest,
  PinoNestLogger,
  runWithRequestLogger,
} from './nest-logger.js';

function setUp(level = 'trace') {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean))
        lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const pino = createLogger({ logLevel: level, logFile: null }, stream);

  return { pino, logger: new PinoNestLogger(pino), lines };
}

describe('PinoNestLogger', () => {
  it('maps Nest levels to pino levels', () => {
    const { logger, lines } = setUp();
    logger.log('a');
    logger.warn('b');
    logger.error('c');
    logger.debug('d');
    logger.verbose('e');
    logger.fatal('f');
    expect(lines.map((line) => line.level)).toEqual([
      'info',
      'warn',
      'error',
      'debug',
      'trace',
      'fatal',
    ]);
  });

  it('keeps the context and the stack apart', () => {
    const { logger, lines } = setUp();
    const stack = new Error('boom').stack ?? '';
    logger.error('failed', stack, 'QuotesService');
    logger.log('plain', 'Main');
    expect(lines[0]).toMatchObject({
      msg: 'failed',
      context: 'QuotesService',
      stack,
    });
    expect(lines[1]).toMatchObject({ msg: 'plain', context: 'Main' });
  });

  it('takes a stack without a context as the stack', () => {
    const { logger, lines } = setUp();
    const stack = new Error('boom').stack ?? '';
    logger.error('failed', stack);
    expect(lines[0]?.stack).toBe(stack);
    expect(lines[0]?.context).toBeUndefined();
  });

  it('adds the request id inside a request', async () => {
    const { pino, logger, lines } = setUp();
    const request = pino.child({ reqId: 'req-7' });
    await runWithRequestLogger(request, async () => {
      await Promise.resolve();
      logger.warn('inside', 'FailoverService');
    });
    logger.warn('outside', 'FailoverService');
    expect(lines[0]).toMatchObject({ msg: 'inside', reqId: 'req-7' });
    expect(lines[1]?.reqId).toBeUndefined();
  });

  it('adds the request id of a passed context', async () => {
    const { pino, logger, lines } = setUp();
    const context = requestContext(1000, pino.child({ reqId: 'req-8' }));
    logForRequest(context, () => logger.warn('passed', 'JwtVerifier'));
    logForRequest(undefined, () => logger.warn('without', 'JwtVerifier'));
    await Promise.resolve();

    expect(lines[0]).toMatchObject({ msg: 'passed', reqId: 'req-8' });
    expect(lines[1]?.reqId).toBeUndefined();
    expect(currentContext()).toBeUndefined();
  });

  it('writes nothing below the level', () => {
    const { logger, lines } = setUp('warn');
    logger.log('hidden');
    logger.debug('hidden');
    expect(lines).toEqual([]);
  });
});
