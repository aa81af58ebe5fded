import type { RawData } from 'ws';
import { StreamError } from './stream.errors.js';

/** Largest request, in bytes, on either transport. */
export const MAX_MESSAGE_BYTES = 64 * 1024;
/**
 * Largest frame `/ws` reads at all. Requests between MAX_MESSAGE_BYTES and
 * this get an error message; larger frames close the connection (1009).
 */
export const MAX_FRAME_BYTES = 4 * MAX_MESSAGE_BYTES;

export type WsRequest =
  | { action: 'subscribe' | 'unsubscribe'; symbols?: unknown }
  | { action: 'ping' }
  | { action: 'auth'; token: string | null };

const ACTIONS = ['subscribe', 'unsubscribe', 'ping', 'auth'];

/** Parses one `/ws` frame into a request, or throws StreamError naming what is wrong. */
export function readRequest(data: RawData, isBinary: boolean): WsRequest {
  const bytes = byteLength(data);
  if (bytes > MAX_MESSAGE_BYTES) {
    throw new StreamError(
      'MESSAGE_TOO_LARGE',
      `the message has ${bytes} bytes; the limit is ${MAX_MESSAGE_BYTES}`,
    );
  }
  if (isBinary) {
    throw new StreamError(
      'INVALID_MESSAGE',
      'binary frames are not accepted; send JSON as text',
    );
  }
  let body: unknown;
  try {
    body = JSON.parse(textOf(data));
  } catch (error) {
    throw new StreamError(
      'INVALID_MESSAGE',
      `the message is not valid JSON (${(error as Error).message}); send e.g. {"action":"subscribe","symbols":["AAPL"]}`,
    );
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new StreamError(
      'INVALID_MESSAGE',
      'expected a JSON object with an "action" field, e.g. {"action":"ping"}',
    );
  }
  const action = (body as { action?: unknown }).action;
  if (action === undefined) {
    throw new StreamError(
      'UNKNOWN_ACTION',
      `missing action; expected one of ${ACTIONS.join(', ')}`,
    );
  }
  if (typeof action !== 'string' || !ACTIONS.includes(action)) {
    const actionText = JSON.stringify(action).slice(0, 40);
    throw new StreamError(
      'UNKNOWN_ACTION',
      `unknown action ${actionText}; expected one of ${ACTIONS.join(', ')}`,
    );
  }
  if (action === 'auth') {
    const token = (body as { token?: unknown }).token;
    return { action, token: typeof token === 'string' ? token : null };
  }

  return body as WsRequest;
}

function byteLength(data: RawData): number {
  if (Array.isArray(data))
    return data.reduce((sum, part) => sum + part.length, 0);

  return data instanceof ArrayBuffer ? data.byteLength : data.length;
}

function textOf(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');

  return Buffer.isBuffer(data)
    ? data.toString('utf8')
    : Buffer.from(data).toString('utf8');
}
