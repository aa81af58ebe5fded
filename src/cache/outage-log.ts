import type { Logger } from '@nestjs/common';

/**
 * Logs an outage of a dependency once when it starts and once when it ends,
 * with the count of operations that failed in between, rather than once per
 * failed operation.
 */
export class OutageLog {
  private failures = 0;

  constructor(
    private readonly logger: Logger,
    private readonly what: string,
  ) {}

  /** True while operations keep failing. */
  get inOutage(): boolean {
    return this.failures > 0;
  }

  failed(error: unknown): void {
    if (this.failures === 0) {
      this.logger.warn(
        `${this.what} unavailable, going on without it: ${describe(error)}`,
      );
    }
    this.failures += 1;
  }

  succeeded(): void {
    if (this.failures === 0) return;
    this.logger.log(
      `${this.what} available again after ${this.failures} failed operations`,
    );
    this.failures = 0;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
