import { describe, expect, it } from 'vitest';
import { redactUrlCredentials, scrubSecrets } from './secrets.js';

describe('scrubSecrets', () => {
  it('replaces a plain key', () => {
    expect(scrubSecrets('apikey=abc123 failed', ['abc123'])).toBe(
      'apikey=*** failed',
    );
  });

  it('replaces the percent-encoded form', () => {
    const key = 'av/Te+st Sec&ret=9';
    expect(scrubSecrets(`apikey=${encodeURIComponent(key)}`, [key])).toBe(
      'apikey=***',
    );
  });

  it('replaces the form-encoded form', () => {
    const key = 'av/Te+st Sec&ret=9';
    const query = new URLSearchParams({ apikey: key }).toString();
    expect(scrubSecrets(query, [key])).toBe('apikey=***');
  });

  it('ignores empty secrets', () => {
    expect(scrubSecrets('text', [''])).toBe('text');
  });
});

describe('redactUrlCredentials', () => {
  it.each([
    ['http://user:pass@127.0.0.1:18201', 'http://***@127.0.0.1:18201'],
    ['rediss://pw789secret@127.0.0.1:1', 'rediss://***@127.0.0.1:1'],
    ['redis://:hunter2@host:6379/0', 'redis://***@host:6379/0'],
    ['https://api.polygon.io', 'https://api.polygon.io'],
  ])('redacts %s', (url, redacted) => {
    expect(redactUrlCredentials(url)).toBe(redacted);
  });
});
