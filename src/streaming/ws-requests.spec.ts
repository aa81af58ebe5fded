import { describe, expect, it } from 'vitest';
import { MAX_MESSAGE_BYTES, readRequest } from './ws-requests.js';
import { StreamError } from './stream.errors.js';

function errorOf(data: Buffer, isBinary = false): StreamError {
  try {
    readRequest(data, isBinary);
  } catch (error) {
    if (error instanceof StreamError) return error;
    throw error;
  }
  throw new Error('the request was accepted');
}

const text = (value: string) => Buffer.from(value, 'utf8');

describe('readRequest', () => {
  it('reads a subscribe request', () => {
    expect(
      readRequest(text('{"action":"subscribe","symbols":["AAPL"]}'), false),
    ).toEqual({ action: 'subscribe', symbols: ['AAPL'] });
  });

  it('reads an auth token', () => {
    expect(readRequest(text('{"action":"auth","token":"t"}'), false)).toEqual({
      action: 'auth',
      token: 't',
    });
  });

  it('reads a missing auth token as null', () => {
    expect(readRequest(text('{"action":"auth"}'), false)).toEqual({
      action: 'auth',
      token: null,
    });
  });

  it.each([
    ['{"action":', 'INVALID_MESSAGE', 'not valid JSON'],
    ['42', 'INVALID_MESSAGE', '"action" field'],
    ['null', 'INVALID_MESSAGE', '"action" field'],
    ['[]', 'INVALID_MESSAGE', '"action" field'],
    ['{}', 'UNKNOWN_ACTION', 'missing action'],
    ['{"action":null}', 'UNKNOWN_ACTION', 'unknown action null'],
    ['{"action":7}', 'UNKNOWN_ACTION', 'unknown action 7'],
    ['{"action":"SUBSCRIBE"}', 'UNKNOWN_ACTION', '"SUBSCRIBE"'],
  ])('rejects %s', (frame, code, detail) => {
    const error = errorOf(text(frame));

    expect(error.code).toBe(code);
    expect(error.detail).toContain(detail);
  });

  it('rejects binary frames', () => {
    expect(errorOf(text('{"action":"ping"}'), true).code).toBe(
      'INVALID_MESSAGE',
    );
  });

  it('rejects messages above the limit', () => {
    const error = errorOf(Buffer.alloc(MAX_MESSAGE_BYTES + 1, 0x20));

    expect(error.code).toBe('MESSAGE_TOO_LARGE');
    expect(error.detail).toBe(
      `the message has ${MAX_MESSAGE_BYTES + 1} bytes; the limit is ${MAX_MESSAGE_BYTES}`,
    );
  });

  it('accepts a message at the limit', () => {
    const padding = ' '.repeat(MAX_MESSAGE_BYTES - '{"action":"ping"}'.length);

    expect(readRequest(text(`{"action":"ping"}${padding}`), false)).toEqual({
      action: 'ping',
    });
  });

  it('reads fragmented frames', () => {
    expect(readRequest([text('{"action":'), text('"ping"}')], false)).toEqual({
      action: 'ping',
    });
  });
});
