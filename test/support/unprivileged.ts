import { existsSync } from 'node:fs';
import { describe, it } from 'vitest';

/** util-linux's setpriv, which runs a program under another user id. */
export const SETPRIV_PATH = process.env.SETPRIV_PATH ?? '/usr/bin/setpriv';

/**
 * Returns the setpriv arguments that run the following program as `uid` and
 * `gid` with no supplementary groups, as a container runtime does.
 */
export function asUser(uid: number, gid: number): string[] {
  return [`--reuid=${uid}`, `--regid=${gid}`, '--clear-groups'];
}

/**
 * Declares a describe block that runs programs as another user. That needs
 * setpriv and root, which CI has. Without either the block is skipped with
 * the reason in its name, except under CI=true, where that fails the run.
 */
export function describeAsOtherUser(name: string, body: () => void): void {
  const reason = !existsSync(SETPRIV_PATH)
    ? `setpriv not found at ${SETPRIV_PATH}; install it (apt-get install util-linux) to run these tests`
    : process.getuid?.() !== 0
      ? 'switching to another user needs root; run these tests as root'
      : undefined;
  if (reason === undefined) {
    describe(name, body);
    return;
  }
  if (process.env.CI === 'true')
    throw new Error(`${reason} (CI=true requires it)`);
  console.warn(`Skipping "${name}": ${reason}`);
  it.skip(`${name} (skipped: ${reason})`, () => undefined);
}
