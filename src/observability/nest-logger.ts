import type { LoggerService } from '@nestjs/common';
import type { Logger } from 'pino';
import {
  type RequestContext,
  requestContext,
  requestLogger,
  runInContext,
} from '../common/request-deadline.js';

type PinoLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/**
 * Runs `work`, and the async work it starts, with `logger` as the request's
 * logger and no deadline. HTTP requests get their context, logger included,
 * from the request hooks.
 */
export function runWithRequestLogger<T>(
  logger: Logger,
  work: () => Promise<T>,
): Promise<T> {
  return runInContext(requestContext(Number.POSITIVE_INFINITY, logger), work);
}

/**
 * Calls `write`, which logs through Nest's Logger, with the logger of
 * `context`, so that the lines carry the request id. Requests enter the async
 * storage only for cache loads, so a line written elsewhere during a request
 * (an auth warning, an unexpected error) needs this to carry the id.
 */
export function logForRequest(
  context: RequestContext | undefined,
  write: () => void,
): void {
  if (!context?.logger) {
    write();
    return;
  }
  void runInContext(context, () => {
    write();
    return Promise.resolve();
  });
}

/**
 * Nest's LoggerService over pino, so that Nest's Logger writes the same JSON
 * lines as Fastify. A line written while a request is handled carries that
 * request's id. The Logger's context becomes the `context` field.
 */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  /**
   * Nest passes the Logger's context as the last parameter, and `error`
   * takes a stack trace before it.
   */
  private write(level: PinoLevel, message: unknown, params: unknown[]): void {
    const logger = requestLogger() ?? this.logger;
    if (!logger.isLevelEnabled(level)) return;
    const fields: Record<string, unknown> = {};
    const rest = [...params];
    const last = rest.at(-1);
    if (typeof last === 'string' && !isStack(last)) {
      fields.context = last;
      rest.pop();
    }
    for (const param of rest) {
      if (typeof param === 'string' && isStack(param)) fields.stack = param;
      else if (param instanceof Error) fields.err = param;
      else if (param !== undefined) fields.detail = param;
    }
    if (message instanceof Error) {
      logger[level]({ ...fields, err: message }, message.message);
      return;
    }
    if (typeof message === 'object' && message !== null) {
      logger[level]({ ...fields, ...message });
      return;
    }
    logger[level](fields, String(message));
  }
}

function isStack(text: string): boolean {
  return text.includes('\n    at ');
}
