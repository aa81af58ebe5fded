import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CAPABILITIES } from '../providers/market-data-source.js';
import { loadConfig } from './config.loader.js';

/** Settings that enable every upstream source. */
const EVERY_UPSTREAM = {
  POLYGON_KEY: 'polygon-key',
  ALPACA_KEY_ID: 'alpaca-id',
  ALPACA_SECRET_KEY: 'alpaca-secret',
  FINNHUB_KEY: 'finnhub-key',
  ALPHA_VANTAGE_KEY: 'alpha-vantage-key',
  QUANDL_KEY: 'quandl-key',
  YAHOO_ENABLED: 'true',
  COINBASE_ENABLED: 'true',
};

let cwd: string;

beforeEach(() => {
  cwd = mkdtempSync(path.join(tmpdir(), 'app-config-'));
});

afterEach(() => {
  rmSync(cwd, { recursive: true, force: true });
});

describe('AppConfig default provider order', () => {
  it('puts Nasdaq Data Link after every live source', () => {
    const config = loadConfig({ env: EVERY_UPSTREAM, cwd });
    expect(config.providers.history).toEqual([
      'polygon',
      'alpaca',
      'finnhub',
      'alpha_vantage',
      'yahoo',
      'coinbase',
      'nasdaq_data_link',
    ]);
  });

  it('uses the same order for every capability', () => {
    const config = loadConfig({ env: EVERY_UPSTREAM, cwd });
    for (const capability of CAPABILITIES)
      expect(config.providers[capability].at(-1)).toBe('nasdaq_data_link');
  });

  it('puts Nasdaq Data Link after Yahoo', () => {
    const config = loadConfig({
      env: { QUANDL_KEY: 'quandl-key', YAHOO_ENABLED: 'true' },
      cwd,
    });
    expect(config.providers.history).toEqual(['yahoo', 'nasdaq_data_link']);
  });

  it('keeps replay first', () => {
    const config = loadConfig({
      env: { QUANDL_KEY: 'quandl-key', REPLAY_DIR: cwd, YAHOO_ENABLED: 'true' },
      cwd,
    });
    expect(config.providers.history).toEqual([
      'replay',
      'yahoo',
      'nasdaq_data_link',
    ]);
  });

  it('keeps a configured list as written', () => {
    const config = loadConfig({
      env: {
        QUANDL_KEY: 'quandl-key',
        YAHOO_ENABLED: 'true',
        HISTORY_PROVIDERS: 'nasdaq_data_link,yahoo',
      },
      cwd,
    });
    expect(config.providers.history).toEqual(['nasdaq_data_link', 'yahoo']);
  });
});
