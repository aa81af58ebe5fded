import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataNotAvailableError } from '../../common/api.errors.js';
import { parseSymbol } from '../../market/symbol.js';
import { ReplaySource } from './replay.adapter.js';
import { fakeLogger } from '../../../test/support/fake-logger.js';

const AAPL = [
  'date,open,high,low,close,volume,dividend,split',
  '2014-06-06,92.84,93.04,92.07,92.22,87484600,0.0,1.0',
  '2014-06-09,92.7,93.88,91.75,93.7,75415000,0.0,7.0',
].join('\n');

function sourceFor(dir: string): ReplaySource {
  return new ReplaySource({
    dir,
    speed: 60,
    logger: fakeLogger(),
    now: () => 1_000,
  });
}

describe('ReplaySource', () => {
  let dir: string;
  let source: ReplaySource;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'replay-source-'));
    await writeFile(path.join(dir, 'AAPL.csv'), AAPL);
    source = sourceFor(dir);
    await source.load();
  });

  afterAll(async () => {
    await source.stream.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('declares an embedded source', () => {
    expect(source.id).toBe('replay');
    expect(source.kind).toBe('embedded');
    expect([...source.capabilities]).toEqual([
      'quote',
      'history',
      'profile',
      'search',
      'stream',
    ]);
  });

  it('reports up with figures', () => {
    expect(source.status()).toMatchObject({
      state: 'up',
      info: {
        dir,
        filesRead: 1,
        filesSkipped: 0,
        series: 1,
        symbols: 1,
        rowsRead: 2,
        rowsSkipped: 0,
      },
    });
  });

  it('serves history', async () => {
    const result = await source.getHistory({
      instrument: parseSymbol('AAPL'),
      interval: '1d',
      start: null,
      end: Date.parse('2014-12-31'),
      limit: 10,
      adjusted: false,
    });
    expect(result.bars.map((bar) => bar.close)).toEqual([92.22, 93.7]);
  });

  it('serves a quote', async () => {
    const quote = await source.getQuote(parseSymbol('AAPL'));
    expect(quote.price).toBe(93.7);
    expect(quote.previousClose).toBe(92.22);
  });

  it('serves a profile', async () => {
    const profile = await source.getProfile(parseSymbol('AAPL'));
    expect(profile.coverage).toEqual({ from: '2014-06-06', to: '2014-06-09' });
    expect(profile.asOf).toBe(1_000);
  });

  it('searches symbols', async () => {
    const matches = await source.search('aap', 5);
    expect(matches.map((match) => match.symbol)).toEqual(['AAPL']);
  });

  it('rejects a symbol not in the files', async () => {
    await expect(source.getQuote(parseSymbol('MSFT'))).rejects.toThrow(
      DataNotAvailableError,
    );
  });

  it('reports down before loading', () => {
    expect(sourceFor(dir).status()).toMatchObject({ state: 'down' });
  });

  it('reports degraded for an empty folder', async () => {
    const empty = await mkdtemp(path.join(tmpdir(), 'replay-empty-'));
    const idle = sourceFor(empty);
    await idle.load();
    await rm(empty, { recursive: true, force: true });
    expect(idle.status().state).toBe('degraded');
  });

  it('names the missing directory', async () => {
    const missing = path.join(dir, 'absent');
    const broken = sourceFor(missing);
    await expect(broken.load()).rejects.toThrow(missing);
    expect(broken.status()).toMatchObject({
      state: 'down',
      detail: expect.stringContaining(missing),
    });
  });
});
