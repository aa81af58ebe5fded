/** Outcome of one message under the per-connection limit. */
export type MessageVerdict = 'accept' | 'reject' | 'disconnect';

/**
 * Rejected messages in a row, as a multiple of the per-second limit, after
 * which the connection is closed instead of sent an error.
 */
const DISCONNECT_FACTOR = 10;

/**
 * Token bucket for the messages of one streaming connection: `perSecond`
 * messages a second, with bursts of up to `perSecond`. A client that keeps
 * sending while rejected is disconnected after ten times the limit.
 */
export class MessageRateLimit {
  private tokens: number;
  private updatedAt: number;
  private rejectedInRow = 0;

  constructor(
    private readonly perSecond: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = perSecond;
    this.updatedAt = now();
  }

  take(): MessageVerdict {
    const now = this.now();
    this.tokens = Math.min(
      this.perSecond,
      this.tokens + ((now - this.updatedAt) * this.perSecond) / 1000,
    );
    this.updatedAt = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      this.rejectedInRow = 0;
      return 'accept';
    }
    this.rejectedInRow += 1;

    return this.rejectedInRow > this.perSecond * DISCONNECT_FACTOR
      ? 'disconnect'
      : 'reject';
  }

  /** Detail of the RATE_LIMITED error for a rejected message. */
  get detail(): string {
    return `more than ${this.perSecond} messages a second (STREAM_MESSAGE_RATE_LIMIT); the message was dropped`;
  }
}
