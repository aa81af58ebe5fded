/** The logger a summarizer writes to; Nest's Logger fits. */
export interface SummaryLogger {
  warn(message: string): void;
}

interface Window {
  repeats: number;
  lastLine: string;
  timer: NodeJS.Timeout;
}

/**
 * Logs the first failure of each kind (a key such as source and error code)
 * at once, then counts the repeats for `windowMs` and logs one line with
 * their number and the last of them when the window ends. A source that
 * fails on every request so adds two lines a window instead of one a request.
 */
export class RepeatedErrorLog {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly logger: SummaryLogger,
    private readonly windowMs = 60_000,
  ) {}

  report(key: string, line: string): void {
    const open = this.windows.get(key);
    if (open) {
      open.repeats += 1;
      open.lastLine = line;
      return;
    }
    this.logger.warn(line);
    const timer = setTimeout(() => this.close(key), this.windowMs);
    timer.unref();
    this.windows.set(key, { repeats: 0, lastLine: line, timer });
  }

  /** Logs the summaries of the open windows and stops their timers. */
  flush(): void {
    for (const key of this.windows.keys()) this.close(key);
  }

  private close(key: string): void {
    const window = this.windows.get(key);
    if (!window) return;
    clearTimeout(window.timer);
    this.windows.delete(key);
    if (window.repeats === 0) return;
    const seconds = Math.round(this.windowMs / 1000);
    this.logger.warn(
      `${window.repeats} more like this in ${seconds} s (${key}); the last: ${window.lastLine}`,
    );
  }
}
