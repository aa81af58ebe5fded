import { describe, expect, it } from 'vitest';
import { MessageRateLimit } from './message-rate.js';

describe('MessageRateLimit', () => {
  it('accepts a burst up to the limit', () => {
    const now = 1000;
    const limit = new MessageRateLimit(3, () => now);
    const verdicts = [1, 2, 3, 4].map(() => limit.take());

    expect(verdicts).toEqual(['accept', 'accept', 'accept', 'reject']);
  });

  it('refills with time', () => {
    let now = 1000;
    const limit = new MessageRateLimit(2, () => now);
    limit.take();
    limit.take();
    now += 500;

    expect(limit.take()).toBe('accept');
    expect(limit.take()).toBe('reject');
  });

  it('disconnects after ten times the limit rejected', () => {
    const limit = new MessageRateLimit(1, () => 0);
    limit.take();
    const verdicts = Array.from({ length: 11 }, () => limit.take());

    expect(verdicts.slice(0, 10).every((verdict) => verdict === 'reject')).toBe(
      true,
    );
    expect(verdicts[10]).toBe('disconnect');
  });
});
