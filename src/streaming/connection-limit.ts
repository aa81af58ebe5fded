import { StreamError } from './stream.errors.js';

/** Counts open streaming connections of both transports against WS_MAX_CONNECTIONS. */
export class ConnectionLimit {
  private open = 0;

  constructor(private readonly max: number) {}

  get count(): number {
    return this.open;
  }

  /**
   * Takes one place, or throws TOO_MANY_CONNECTIONS. Returns the function
   * that gives it back; calling that more than once has no further effect.
   */
  acquire(): () => void {
    if (this.open >= this.max) {
      throw new StreamError(
        'TOO_MANY_CONNECTIONS',
        `this server already has ${this.max} streaming connections (WS_MAX_CONNECTIONS); retry later or connect to another instance`,
      );
    }
    this.open += 1;
    let released = false;

    return () => {
      if (released) return;
      released = true;
      this.open -= 1;
    };
  }
}
