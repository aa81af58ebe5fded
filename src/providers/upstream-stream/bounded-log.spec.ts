import { describe, expect, it, vi } from 'vitest';
import { BoundedLog } from './bounded-log.js';

describe('BoundedLog', () => {
  it('reports once per interval and counts the rest', () => {
    let now = 0;
    const logger = { warn: vi.fn<(message: string) => void>() };
    const log = new BoundedLog(logger, 1000, () => now);
    log.warn('malformed', 'bad frame');
    log.warn('malformed', 'bad frame');
    log.warn('malformed', 'bad frame');
    now = 1500;
    log.warn('malformed', 'bad frame');
    expect(logger.warn.mock.calls.map(([message]) => message)).toEqual([
      'bad frame',
      'bad frame (2 more since the last report)',
    ]);
  });

  it('keeps kinds apart', () => {
    const logger = { warn: vi.fn<(message: string) => void>() };
    const log = new BoundedLog(logger, 1000, () => 0);
    log.warn('a', 'first');
    log.warn('b', 'second');
    expect(logger.warn).toHaveBeenCalledTimes(2);
  });
});
