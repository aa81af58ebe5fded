import { mkdirSync } from 'node:fs';
import path from 'node:path';
import {
  type DestinationStream,
  pino,
  type Logger,
  type StreamEntry,
} from 'pino';

/** Logging settings: the level and an optional file besides standard output. */
export interface LogSettings {
  logLevel: string;
  logFile: string | null;
}

/**
 * Paths that pino replaces with "[Redacted]": credentials in request headers
 * and token or key fields up to two levels deep.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'headers.authorization',
  'headers["x-api-key"]',
  'token',
  'apiKey',
  'secret',
  'password',
  '*.token',
  '*.apiKey',
  '*.secret',
  '*.password',
];

/**
 * Creates the one pino logger of the service: JSON lines on standard output
 * (or `stdout`, for tests), and a copy in `logFile` when it is set. Fastify and Nest's Logger both write
 * through it. Writes are buffered (sonic-boom, asynchronous); `flushLog`
 * writes out what is pending before the process exits.
 */
export function createLogger(
  settings: LogSettings,
  stdout: DestinationStream = pino.destination({ dest: 1, sync: false }),
): Logger {
  const options = {
    level: settings.logLevel,
    redact: { paths: REDACTED_PATHS },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  if (!settings.logFile) return pino(options, stdout);

  mkdirSync(path.dirname(settings.logFile), { recursive: true });
  const file = pino.destination({
    dest: settings.logFile,
    sync: false,
    append: true,
  });
  // Each stream takes every line the logger's own level lets through.
  const streams: StreamEntry[] = [
    { level: 'trace', stream: stdout },
    { level: 'trace', stream: file },
  ];

  return pino(options, pino.multistream(streams));
}

/** Writes out buffered log lines; call before the process exits. */
export function flushLog(logger: Logger): void {
  logger.flush();
}

/**
 * Returns Fastify's logger when it is a pino logger, or null when Fastify was
 * built without one (an adapter created without settings).
 */
export function pinoLoggerOf(log: unknown): Logger | null {
  const candidate = log as Partial<Logger> | null;

  return typeof candidate?.isLevelEnabled === 'function' &&
    typeof candidate.child === 'function'
    ? (candidate as Logger)
    : null;
}
