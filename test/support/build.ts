import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout's root folder. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Compiles the service with tsconfig.build.json into `outDir`, for tests
 * that run `node <outDir>/main.js` as a child process. Each test file gets
 * a folder of its own, so files that build at once do not overwrite each
 * other's output.
 */
export function buildService(outDir: string): void {
  execFileSync(
    process.execPath,
    [
      path.join(ROOT, 'node_modules/typescript/bin/tsc'),
      '-p',
      'tsconfig.build.json',
      '--outDir',
      outDir,
    ],
    { cwd: ROOT, stdio: 'inherit' },
  );
}
