import type { LoggerService } from '@nestjs/common';

/**
 * Logs a kind of repeated problem at most once per `intervalMs`, then says
 * how many were skipped, so a source that floods malformed frames cannot
 * flood the logs.
 */
export class BoundedLog {
  private readonly last = new Map<string, { at: number; skipped: number }>();

  constructor(
    private readonly logger: Pick<LoggerService, 'warn'>,
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  warn(kind: string, message: string): void {
    const now = this.now();
    const entry = this.last.get(kind);
    if (entry && now - entry.at < this.intervalMs) {
      entry.skipped += 1;
      return;
    }
    const skipped = entry?.skipped
      ? ` (${entry.skipped} more since the last report)`
      : '';
    this.logger.warn(`${message}${skipped}`);
    this.last.set(kind, { at: now, skipped: 0 });
  }
}
