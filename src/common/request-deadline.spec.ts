import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import {
  currentContext,
  recordCacheOutcome,
  remainingBudget,
  requestContext,
  runInContext,
  withDeadline,
} from './request-deadline.js';

describe('request context', () => {
  it('keeps concurrent deadlines apart', async () => {
    const budgets = await Promise.all([
      withDeadline(500, async () => {
        await sleep(20);
        return remainingBudget();
      }),
      withDeadline(5000, async () => {
        await sleep(10);
        return remainingBudget();
      }),
    ]);
    expect(budgets[0]).toBeLessThanOrEqual(500);
    expect(budgets[0]).toBeGreaterThan(400);
    expect(budgets[1]).toBeGreaterThan(4000);
  });

  it('leaves no context after loads', async () => {
    await withDeadline(100, () => sleep(5));
    await Promise.resolve();
    expect(currentContext()).toBeUndefined();
    expect(remainingBudget()).toBe(Number.POSITIVE_INFINITY);
  });

  it('keeps a context past another load', async () => {
    const long = requestContext(9000);
    const seen = await runInContext(long, async () => {
      await withDeadline(100, () => sleep(5));
      await sleep(5);
      return currentContext();
    });
    expect(seen).toBe(long);
  });

  it('reuses an entered context', async () => {
    const context = requestContext(1000);
    const inner = await runInContext(context, () =>
      runInContext(context, () => Promise.resolve(currentContext())),
    );
    expect(inner).toBe(context);
  });

  it('recovers from synchronous throws', async () => {
    expect(() =>
      runInContext(requestContext(100), () => {
        throw new Error('no promise');
      }),
    ).toThrow('no promise');
    const budget = await withDeadline(300, () =>
      Promise.resolve(remainingBudget()),
    );
    expect(budget).toBeLessThanOrEqual(300);
    await Promise.resolve();
    expect(currentContext()).toBeUndefined();
  });

  it('ranks STALE over MISS over HIT', () => {
    const context = requestContext(1000);
    recordCacheOutcome(context, 'HIT');
    expect(context.cache).toBe('HIT');
    recordCacheOutcome(context, 'MISS');
    recordCacheOutcome(context, 'HIT');
    expect(context.cache).toBe('MISS');
    recordCacheOutcome(context, 'STALE');
    recordCacheOutcome(context, 'MISS');
    expect(context.cache).toBe('STALE');
  });
});
