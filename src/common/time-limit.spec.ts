import { describe, expect, it } from 'vitest';
import { TimeLimitError, withinMs } from './time-limit.js';

describe('withinMs', () => {
  it('passes a result that comes in time', async () => {
    await expect(withinMs(Promise.resolve(42), 50, 'slow')).resolves.toBe(42);
  });

  it('passes a failure that comes in time', async () => {
    await expect(
      withinMs(Promise.reject(new Error('refused')), 50, 'slow'),
    ).rejects.toThrow('refused');
  });

  it('rejects with the message once the time is up', async () => {
    const never = new Promise<number>(() => undefined);
    const started = Date.now();

    const result = withinMs(never, 30, 'no answer within 30 ms');

    await expect(result).rejects.toBeInstanceOf(TimeLimitError);
    await expect(result).rejects.toThrow('no answer within 30 ms');
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
  });
});
