import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';

/**
 * Real market data and recorded upstream responses live outside the
 * repository. TEST_DATA_DIR names the folder that holds `data/ohlcv/` and
 * `fixtures/`; it defaults to `../shared` beside the repository root.
 */
const repoRoot = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../..',
);
const configured = process.env.TEST_DATA_DIR;
export const TEST_DATA_DIR = path.resolve(
  repoRoot,
  configured ?? path.join('..', 'shared'),
);

const present = existsSync(path.join(TEST_DATA_DIR, 'data', 'ohlcv'));
const missingReason = `test data not found at ${TEST_DATA_DIR}; set TEST_DATA_DIR to the folder holding data/ohlcv and fixtures`;

if (!present && process.env.CI === 'true') {
  throw new Error(`${missingReason} (CI=true requires it)`);
}

/** Absolute path of a file under the test data folder. */
export function testDataPath(...parts: string[]): string {
  return path.join(TEST_DATA_DIR, ...parts);
}

export const OHLCV_DIR = testDataPath('data', 'ohlcv');

/**
 * Declares a describe block that runs only when the test data is present.
 * When it is absent, one skipped test carries the reason in its name, and
 * the block's body is never run, since it may read the missing files.
 */
export function describeWithTestData(name: string, body: () => void): void {
  if (present) {
    describe(name, body);
    return;
  }
  console.warn(`Skipping "${name}": ${missingReason}`);
  it.skip(`${name} (skipped: ${missingReason})`, () => undefined);
}
