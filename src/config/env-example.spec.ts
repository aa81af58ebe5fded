import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SETTINGS } from './config.schema.js';

const examplePath = fileURLToPath(
  new URL('../../.env.example', import.meta.url),
);
const entries = readFileSync(examplePath, 'utf8')
  .split('\n')
  .map((line) => /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line))
  .filter((match) => match !== null)
  .map(([, name = '', value = '']) => ({ name, value }));
const documented = entries.map((entry) => entry.name);

describe('.env.example', () => {
  it('documents every setting', () => {
    expect(documented.sort()).toEqual(Object.keys(SETTINGS).sort());
  });

  it.each(entries.filter((entry) => entry.value !== ''))(
    'states the default of $name',
    ({ name, value }) => {
      const schema = SETTINGS[name as keyof typeof SETTINGS];
      expect(schema.parse(value)).toEqual(schema.parse(undefined));
    },
  );

  it('documents each setting once', () => {
    expect(new Set(documented).size).toBe(documented.length);
  });
});
