import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The deadline of the client request being served, carried in async context
 * so that upstream calls made on its behalf share one time budget.
 */
const storage = new AsyncLocalStorage<{ deadline: number }>();

/** Runs `work` with a deadline `budgetMs` from now. */
export function withDeadline<T>(budgetMs: number, work: () => T): T {
  return storage.run({ deadline: Date.now() + budgetMs }, work);
}

/**
 * Returns the milliseconds left before the current request's deadline, or
 * Infinity outside a request (start-up, background feeds).
 */
export function remainingBudget(): number {
  const context = storage.getStore();

  return context ? context.deadline - Date.now() : Number.POSITIVE_INFINITY;
}
