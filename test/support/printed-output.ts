import { vi } from 'vitest';

/**
 * Runs `work` with standard output and standard error silenced, and returns
 * its result with every chunk written to either stream.
 */
export async function capturePrinted<T>(
  work: () => Promise<T>,
): Promise<{ result: T; printed: string[] }> {
  const stdout = vi
    .spyOn(process.stdout, 'write')
    .mockImplementation(() => true);
  const stderr = vi
    .spyOn(process.stderr, 'write')
    .mockImplementation(() => true);
  try {
    const result = await work();
    const printed = [...stdout.mock.calls, ...stderr.mock.calls]
      .flat()
      .map(String);

    return { result, printed };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}
