import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.loader.js';

let cwd: string;

beforeEach(() => {
  cwd = mkdtempSync(path.join(tmpdir(), 'config-'));
});

afterEach(() => {
  rmSync(cwd, { recursive: true, force: true });
});

function write(file: string, content: string): void {
  mkdirSync(path.dirname(path.join(cwd, file)), { recursive: true });
  writeFileSync(path.join(cwd, file), content);
}

function load(env: Record<string, string> = {}) {
  return loadConfig({ env, cwd });
}

function problemsOf(env: Record<string, string>): string[] {
  try {
    load(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }

  return [];
}

describe('loadConfig defaults', () => {
  it('binds to loopback on port 8000', () => {
    const config = load();
    expect(config.api).toEqual({ host: '127.0.0.1', port: 8000 });
  });

  it('serves simulated data with no sources configured', () => {
    const config = load();
    expect(config.providers.quote).toEqual(['simulated']);
    expect(config.providersDefaulted).toBe(true);
  });

  it('puts replay alone first when REPLAY_DIR is set', () => {
    const config = load({ REPLAY_DIR: cwd });
    expect(config.providers.history).toEqual(['replay']);
    expect(config.enabledSources()).toEqual(['replay']);
  });
});

describe('loadConfig upstream sources', () => {
  it('enables a keyed source', () => {
    const config = load({ POLYGON_KEY: 'k' });
    expect(config.upstreams.polygon.enabled).toBe(true);
    expect(config.upstreams.alpha_vantage.disabledReason).toBe(
      'ALPHA_VANTAGE_KEY is not set',
    );
  });

  it('keeps a keyless source off even when enabled', () => {
    expect(load({ POLYGON_ENABLED: 'true' }).upstreams.polygon.enabled).toBe(
      false,
    );
  });

  it('turns a keyed source off on request', () => {
    expect(
      load({ POLYGON_KEY: 'k', POLYGON_ENABLED: 'false' }).upstreams.polygon
        .enabled,
    ).toBe(false);
  });

  it('keeps Yahoo off by default', () => {
    expect(load().upstreams.yahoo.disabledReason).toBe(
      'YAHOO_ENABLED is not true',
    );
    expect(load({ YAHOO_ENABLED: 'true' }).upstreams.yahoo.enabled).toBe(true);
  });

  it('needs both Alpaca credentials', () => {
    expect(load({ ALPACA_KEY_ID: 'id' }).upstreams.alpaca.disabledReason).toBe(
      'ALPACA_SECRET_KEY is not set',
    );
    expect(
      load({ ALPACA_KEY_ID: 'id', ALPACA_SECRET_KEY: 's' }).upstreams.alpaca
        .enabled,
    ).toBe(true);
  });

  it('keeps Coinbase off by default', () => {
    expect(load().upstreams.coinbase.enabled).toBe(false);
    expect(
      load({ COINBASE_ENABLED: 'true' }).upstreams.coinbase.streamUrl,
    ).toBe('wss://ws-feed.exchange.coinbase.com');
  });

  it('reads the Nasdaq Data Link key from QUANDL_KEY', () => {
    expect(load({ QUANDL_KEY: 'q' }).upstreams.nasdaq_data_link.enabled).toBe(
      true,
    );
  });

  it('rejects a stream URL that is not ws', () => {
    expect(
      problemsOf({ FINNHUB_STREAM_URL: 'https://ws.finnhub.io' })[0],
    ).toContain('expected a ws:// or wss:// URL');
  });

  it('drops simulated from defaults once a key is set', () => {
    const config = load({ ALPHA_VANTAGE_KEY: 'k', YAHOO_ENABLED: 'true' });
    expect(config.providers.quote).toEqual(['alpha_vantage', 'yahoo']);
  });

  it('puts replay before upstreams by default', () => {
    expect(
      load({ REPLAY_DIR: cwd, POLYGON_KEY: 'k' }).providers.history,
    ).toEqual(['replay', 'polygon']);
  });

  it('converts seconds to milliseconds once', () => {
    const config = load({ UPSTREAM_TIMEOUT: '2.5', REQUEST_DEADLINE: '9' });
    expect(config.upstream.timeoutMs).toBe(2500);
    expect(config.upstream.deadlineMs).toBe(9000);
  });

  it('strips a trailing slash from base URLs', () => {
    expect(
      load({ POLYGON_BASE_URL: 'https://api.massive.com/' }).upstreams.polygon
        .baseUrl,
    ).toBe('https://api.massive.com');
  });

  it.each([
    'redis://127.0.0.1:notaport',
    'redis://:pw@',
    'http://x',
    'redis://h:6379:99',
  ])('rejects REDIS_URL %s', (value) => {
    expect(problemsOf({ REDIS_URL: value })[0]).toContain(
      'expected a redis:// or rediss:// URL',
    );
  });

  it('hides credentials of a rejected URL', () => {
    const [problem] = problemsOf({ REDIS_URL: 'http://u:secretpw@x' });
    expect(problem).not.toContain('secretpw');
    expect(problem).toContain('http://***@x');
  });

  it('rejects a base URL that is not http', () => {
    expect(problemsOf({ POLYGON_BASE_URL: 'ftp://x' })[0]).toContain(
      'expected an http or https URL',
    );
  });
});

describe('loadConfig layers', () => {
  it('reads YAML defaults', () => {
    write(
      'config/default.yaml',
      'API_PORT: 9000\nQUOTE_PROVIDERS: [simulated]\n',
    );
    expect(load().api.port).toBe(9000);
  });

  it('lets NODE_ENV YAML override defaults', () => {
    write('config/default.yaml', 'API_PORT: 9000\n');
    write('config/test.yaml', 'API_PORT: 9001\n');
    expect(load({ NODE_ENV: 'test' }).api.port).toBe(9001);
  });

  it('lets .env override YAML', () => {
    write('config/default.yaml', 'API_PORT: 9000\n');
    write('.env', 'API_PORT=9002\n');
    expect(load().api.port).toBe(9002);
  });

  it('lets the environment override .env', () => {
    write('.env', 'API_PORT=9002\n');
    expect(load({ API_PORT: '9003' }).api.port).toBe(9003);
  });

  it.each(['0.0.0.0', '::1', 'localhost', 'api.internal'])(
    'accepts API_HOST %s',
    (value) => {
      expect(load({ API_HOST: value }).api.host).toBe(value);
    },
  );

  it('stores simulated symbols in canonical form', () => {
    expect(
      load({ SIMULATED_SYMBOLS: 'brk-b, btc/usd' }).simulated.symbols,
    ).toEqual(['BRK.B', 'BTC-USD']);
  });

  it('reads comma-separated provider lists', () => {
    const config = load({
      REPLAY_DIR: cwd,
      QUOTE_PROVIDERS: 'replay, simulated',
    });
    expect(config.providers.quote).toEqual(['replay', 'simulated']);
  });
});

describe('loadConfig errors', () => {
  it('names the variable, value and what is allowed', () => {
    expect(problemsOf({ API_PORT: 'eighty' })).toEqual([
      'API_PORT="eighty" (from the environment) is invalid: expected an integer from 0 to 65535.',
    ]);
  });

  it('lists every invalid variable at once', () => {
    const problems = problemsOf({ API_PORT: '70000', LOG_LEVEL: 'loud' });
    expect(problems).toHaveLength(2);
    expect(problems[1]).toContain(
      'expected one of fatal, error, warn, info, debug, trace, silent',
    );
  });

  it('names the file a bad value came from', () => {
    write('config/default.yaml', 'REPLAY_SPEED: fast\n');
    expect(problemsOf({})[0]).toContain('"fast" (from config/default.yaml)');
  });

  it('rejects an unknown source in a list', () => {
    expect(problemsOf({ QUOTE_PROVIDERS: 'simulated,bloomberg' })[0]).toContain(
      'expected one of polygon, alpaca, finnhub, alpha_vantage, nasdaq_data_link, yahoo, coinbase, replay, simulated',
    );
  });

  it('rejects replay without REPLAY_DIR', () => {
    expect(problemsOf({ HISTORY_PROVIDERS: 'replay' })[0]).toContain(
      'REPLAY_DIR is not set',
    );
  });

  it('rejects an unreadable simulated symbol', () => {
    const [problem] = problemsOf({ SIMULATED_SYMBOLS: 'AAPL,<x>' });
    expect(problem).toContain(
      'SIMULATED_SYMBOLS="AAPL,<x>" (from the environment) is invalid',
    );
    expect(problem).toContain('not allowed');
  });

  it.each(['999.1.1.1', 'bad host', '-x'])('rejects API_HOST %s', (value) => {
    expect(problemsOf({ API_HOST: value })[0]).toContain(
      'expected a host name or IP address',
    );
  });

  it('rejects a REPLAY_DIR that does not exist', () => {
    expect(problemsOf({ REPLAY_DIR: '/nonexistent/replay' })).toEqual([
      'REPLAY_DIR="/nonexistent/replay" is invalid: the folder /nonexistent/replay does not exist.',
    ]);
  });

  it('rejects a source named twice', () => {
    expect(problemsOf({ QUOTE_PROVIDERS: 'simulated,simulated' })[0]).toContain(
      'only once',
    );
  });

  it('rejects unknown YAML settings', () => {
    write('config/default.yaml', 'API_PROT: 8000\n');
    expect(problemsOf({})[0]).toContain('unknown setting API_PROT');
  });

  it('rejects YAML that is not a map', () => {
    write('config/default.yaml', '- 1\n- 2\n');
    expect(problemsOf({})[0]).toContain('must be a map');
  });
});
