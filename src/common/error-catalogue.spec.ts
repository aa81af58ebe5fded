import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE } from './error-catalogue.js';

const docPath = fileURLToPath(new URL('../../docs/errors.md', import.meta.url));
const rows = readFileSync(docPath, 'utf8')
  .split('\n')
  .map((line) =>
    /^\|\s*`([A-Z_]+)`\s*\|\s*(\d{3})\s*\|\s*(yes|no)\s*\|/.exec(line),
  )
  .filter((match) => match !== null)
  .map(([, code = '', status = '', failover = '']) => ({
    code,
    status: Number(status),
    failover: failover === 'yes',
  }));

describe('error catalogue documentation', () => {
  it('lists every code in the same order', () => {
    expect(rows.map((row) => row.code)).toEqual(Object.keys(ERROR_CATALOGUE));
  });

  it.each(rows)('states status and failover of $code', (row) => {
    const entry = ERROR_CATALOGUE[row.code as keyof typeof ERROR_CATALOGUE];
    expect({ status: row.status, failover: row.failover }).toEqual({
      status: entry.status,
      failover: entry.failover,
    });
  });
});
