import { vi } from 'vitest';

/** Creates a Nest-compatible logger whose methods record their messages. */
export function fakeLogger() {
  return {
    log: vi.fn<(message: unknown) => void>(),
    warn: vi.fn<(message: unknown) => void>(),
    error: vi.fn<(message: unknown) => void>(),
    debug: vi.fn<(message: unknown) => void>(),
  };
}
