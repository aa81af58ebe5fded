import { existsSync } from 'node:fs';
import { describe, it } from 'vitest';

/** Debian's Chromium, which `.ci/run` installs; tests drive it with playwright-core. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Declares a describe block that needs a system program. It is skipped with the
 * reason in its name when the program is missing, except under CI=true,
 * where a missing program fails the run.
 */
export function describeWithTool(
  tool: string,
  file: string,
  name: string,
  body: () => void,
): void {
  if (existsSync(file)) {
    describe(name, body);
    return;
  }
  const reason = `${tool} not found at ${file}; install it (apt-get install ${tool}) to run these tests`;
  if (process.env.CI === 'true')
    throw new Error(`${reason} (CI=true requires it)`);
  console.warn(`Skipping "${name}": ${reason}`);
  it.skip(`${name} (skipped: ${reason})`, () => undefined);
}

/** Flags for headless Chromium on a machine without outside network access. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
