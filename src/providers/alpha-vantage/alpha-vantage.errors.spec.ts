import { describe, expect, it } from 'vitest';
import {
  derivedFixture,
  fixture,
} from '../../../test/support/fake-upstream.js';
import { describeWithTestData } from '../../../test/support/test-data.js';
import { classifyNotice, findNotice } from './alpha-vantage.errors.js';

function noticeIn(text: string) {
  const notice = findNotice(JSON.parse(text));
  expect(notice).not.toBeNull();

  return notice ?? { key: 'Note' as const, text: '' };
}

describeWithTestData('classifyNotice on recorded texts', () => {
  it.each([
    ['note_rate_limit_5_per_minute_500_per_day.json', 'UPSTREAM_RATE_LIMITED'],
    ['information_legacy_call_volume.json', 'UPSTREAM_RATE_LIMITED'],
    ['information_premium_endpoint.json', 'PLAN_NOT_PERMITTED'],
    ['information_demo_key.json', 'UPSTREAM_UNAUTHORIZED'],
    [
      'error_message_invalid_api_call_TIME_SERIES_DAILY_ADJUSTED.json',
      'SYMBOL_NOT_FOUND',
    ],
  ])('classifies %s', (file, code) => {
    const notice = noticeIn(fixture(`alphavantage/transcribed/${file}`));
    expect(classifyNotice(notice, true).code).toBe(code);
  });
});

describe('classifyNotice on derived texts', () => {
  it.each([
    ['error_message_invalid_api_key.json', 'UPSTREAM_UNAUTHORIZED'],
    ['information_daily_limit.json', 'QUOTA_EXHAUSTED'],
    ['information_burst_limit.json', 'UPSTREAM_RATE_LIMITED'],
  ])('classifies %s', (file, code) => {
    const notice = noticeIn(derivedFixture(`alpha-vantage/${file}`));
    expect(classifyNotice(notice, true).code).toBe(code);
  });
});

describe('classifyNotice by text', () => {
  it('ignores the key it came under', () => {
    const text = 'Our standard API call frequency is 5 calls per minute.';
    expect(classifyNotice({ key: 'Error Message', text }, true).code).toBe(
      'UPSTREAM_RATE_LIMITED',
    );
  });

  it('asks for a minute after a rate limit', () => {
    const text = 'Our standard API call frequency is 5 calls per minute.';
    expect(classifyNotice({ key: 'Note', text }, true).retryAfterMs).toBe(
      60_000,
    );
  });

  it('reads invalid calls without symbol as unavailable', () => {
    const text = 'Invalid API call. Please retry or visit the documentation.';
    expect(classifyNotice({ key: 'Error Message', text }, false).code).toBe(
      'UPSTREAM_UNAVAILABLE',
    );
  });

  it('reads unknown texts as unavailable', () => {
    const text = 'Service under maintenance.';
    expect(classifyNotice({ key: 'Information', text }, true).code).toBe(
      'UPSTREAM_UNAVAILABLE',
    );
  });
});

describe('findNotice', () => {
  it('finds each notice key', () => {
    for (const key of ['Note', 'Information', 'Error Message']) {
      expect(findNotice({ [key]: 'text' })?.key).toBe(key);
    }
  });

  it('ignores data payloads', () => {
    expect(findNotice({ 'Global Quote': {} })).toBeNull();
  });

  it('ignores non-object bodies', () => {
    expect(findNotice(['Note'])).toBeNull();
  });

  it('serializes a non-text notice', () => {
    expect(findNotice({ Note: { reason: 'x' } })?.text).toBe('{"reason":"x"}');
  });
});
