/** The error of an operation that did not settle within its time limit. */
export class TimeLimitError extends Error {}

/**
 * Settles as `work` does, or rejects with TimeLimitError(`message`) when
 * `work` has not settled within `ms`. `work` itself goes on, and its late result
 * is dropped. One timer per call, where cockatiel's timeout policy also
 * builds an AbortController and its listeners, a cost that shows on
 * operations as short as a Redis GET.
 */
export function withinMs<T>(
  work: Promise<T>,
  ms: number,
  message: string,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new TimeLimitError(message)), ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
