import type { ErrorPayload, StreamErrorCode } from './stream-messages.js';

/** A client error or rejection on a stream, sent to the client as an `error` message. */
export class StreamError extends Error {
  constructor(
    readonly code: StreamErrorCode,
    readonly detail: string,
  ) {
    super(detail);
    this.name = 'StreamError';
  }

  toPayload(): ErrorPayload {
    return { code: this.code, detail: this.detail };
  }
}
