import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDirectory, type DirectoryLoad } from './replay-directory.js';
import { fakeLogger } from '../../../test/support/fake-logger.js';

const FILES: Record<string, string> = {
  'AAPL.a.csv': [
    'date,open,high,low,close',
    '2014-06-05,92.31,92.77,91.8,92.48',
    '2014-06-06,92.84,93.04,92.07,92.22',
  ].join('\n'),
  'AAPL.b.csv': [
    'day,open,high,low,close',
    '2014-06-06,649.9,651.26,644.47,645.57',
    '2014-06-09,92.7,93.88,91.75,93.7',
  ].join('\n'),
  'SPY.txt': [
    'date,open,high,low,close',
    '11:34,1,1,1,1',
    '2024-03-14,1,1,1,1',
    '2024-03-15,1,1,1,1',
  ].join('\n'),
  'notes.csv': 'Shopping list\neggs\nmilk',
  'README.md': '# not data',
};

describe('loadDirectory', () => {
  let dir: string;
  let loaded: DirectoryLoad;
  const logger = fakeLogger();

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'replay-directory-'));
    for (const [name, text] of Object.entries(FILES)) {
      await writeFile(path.join(dir, name), text);
    }
    await mkdir(path.join(dir, 'nested.csv'));
    loaded = await loadDirectory(dir, logger);
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('counts files read and skipped', () => {
    expect(loaded.stats).toMatchObject({ filesRead: 3, filesSkipped: 1 });
  });

  it('counts rows read and skipped', () => {
    expect(loaded.stats).toMatchObject({ rowsRead: 7, rowsSkipped: 1 });
  });

  it('merges series by symbol', () => {
    expect(loaded.stats).toMatchObject({ series: 2, symbols: 2 });
  });

  it('keeps the first file on conflict', () => {
    const aapl = loaded.series.find((one) => one.instrument.symbol === 'AAPL');
    expect(aapl?.bars.map((bar) => bar.close)).toEqual([92.48, 92.22, 93.7]);
  });

  it('warns once per conflicting pair', () => {
    const warnings = logger.warn.mock.calls.map(([message]) => String(message));
    expect(
      warnings.filter((message) => message.includes('differ from')),
    ).toEqual([
      'AAPL 1d: 1 bars of AAPL.b.csv differ from AAPL.a.csv by more than 0.05%; kept those of AAPL.a.csv',
    ]);
  });

  it('logs skipped rows per file', () => {
    expect(logger.log).toHaveBeenCalledWith(
      'Read SPY.txt: 3 rows, 1 skipped; SPY 1d (2 bars)',
    );
  });

  it('logs an unreadable file', () => {
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringMatching(/^Skipped notes\.csv: header .* has no time/),
    );
  });

  it('names a missing directory', async () => {
    const missing = path.join(dir, 'absent');
    await expect(loadDirectory(missing, logger)).rejects.toThrow(
      `Replay directory ${missing} cannot be read`,
    );
  });
});

describe('loadDirectory logging', () => {
  const SECRET = 'S3CRET-VALUE';
  let dir: string;
  let outside: string;
  const logger = fakeLogger();
  const messages = () =>
    [logger.log, logger.warn, logger.error, logger.debug].flatMap((method) =>
      method.mock.calls.map(([message]) => String(message)),
    );

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'replay-logging-'));
    outside = await mkdtemp(path.join(tmpdir(), 'replay-outside-'));
    const secretFile = path.join(outside, 'passwd');
    await writeFile(secretFile, `root:x:0:0:${SECRET}:/root:/bin/bash\n`);
    await symlink(secretFile, path.join(dir, 'passwd.csv'));
    await writeFile(
      path.join(dir, 'blob.csv'),
      Buffer.concat([
        Buffer.from([0, 159, 146, 150, 0, 10]),
        Buffer.from(`${SECRET},1,2\n\u0000${SECRET}`),
      ]),
    );
    await writeFile(
      path.join(dir, 'SPY.csv'),
      [
        'Date,Open,High,Low,Close',
        '2024-03-11,1,1,1,1',
        `2024-03-12,${SECRET},1,1,1`,
        `"2024-03-13,1,1,1,1"${SECRET}"`,
        '2024-03-14,1,1,1,1',
      ].join('\n'),
    );
    await writeFile(
      path.join(dir, 'MULTI.csv'),
      [
        'Date,Open,High,Low,Close,Ticker',
        '2024-03-11,1,1,1,1,MSFT',
        '2024-03-12,1,1,1,1,MSFT',
        `2024-03-12,1,1,1,1,${SECRET} X`,
      ].join('\n'),
    );
    await loadDirectory(dir, logger);
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
  });

  it('never echoes file contents', () => {
    expect(messages().length).toBeGreaterThan(0);
    expect(messages().filter((message) => message.includes(SECRET))).toEqual(
      [],
    );
  });

  it('names the rejected header', () => {
    expect(logger.warn).toHaveBeenCalledWith(
      'Skipped passwd.csv: header on line 1 has no time, open, high, low, close column',
    );
  });

  it('logs rejected rows by line', () => {
    expect(logger.warn).toHaveBeenCalledWith(
      'Skipped line 3 of SPY.csv: the open is not a number',
    );
  });

  it('logs malformed records by line', () => {
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringMatching(
        /^Skipped line 4 of SPY\.csv: the record is not valid CSV \(CSV_[A-Z_]+\)$/,
      ),
    );
  });

  it('names the bad symbol line', () => {
    expect(logger.warn).toHaveBeenCalledWith(
      'Skipped part of MULTI.csv: the symbol column on line 4 is not a valid symbol',
    );
  });
});
