import { describe, expect, it } from 'vitest';
import {
  readReplayFile,
  ReplayFileError,
  type FileReadResult,
  type FileSeries,
} from './replay-file.js';

function onlySeries(result: FileReadResult): FileSeries {
  expect(result.series).toHaveLength(1);
  const [series] = result.series;
  if (!series) throw new Error('no series');

  return series;
}

const lines = (...rows: string[]) => rows.join('\n');

const IMPOSSIBLE = lines(
  'Date,Open,High,Low,Close,Volume',
  '2024-03-11,100,102,99,101,1000',
  `2024-03-12,100,1${'0'.repeat(100_000)},99,101,1000`,
  '2024-03-13,100,102,0,101,1000',
  '2024-03-14,100,98,99,98.5,1000',
  '2024-03-15,103,102,99,101,1000',
  '2024-03-18,100,102,99,101,-5',
  '2024-03-19,100,102,99,102.000000001,1000',
);

function readError(file: string, text: string): ReplayFileError | undefined {
  try {
    readReplayFile(file, text);
  } catch (error) {
    if (error instanceof ReplayFileError) return error;
    throw error;
  }

  return undefined;
}

describe('readReplayFile', () => {
  it('reads the Yahoo export', () => {
    const series = onlySeries(
      readReplayFile(
        'NVDA.csv',
        lines(
          'Date,Open,High,Low,Close,Adj Close,Volume',
          '1999-01-22,1.750000,1.953125,1.552083,1.640625,1.518424,67867200',
          '1999-01-25,1.770833,1.833333,1.640625,1.812500,1.677496,12762000',
        ),
      ),
    );
    expect(series.instrument.symbol).toBe('NVDA');
    expect(series.interval).toBe('1d');
    expect(series.bars[0]).toMatchObject({
      date: '1999-01-22',
      open: 1.75,
      close: 1.640625,
      adjClose: 1.518424,
      volume: 67867200,
    });
  });

  it('reads semicolons with decimal commas', () => {
    const series = onlySeries(
      readReplayFile(
        'SAP-DE.csv',
        lines(
          'Date;Open;High;Low;Close;Volume',
          '2024-03-14;174,50;176,10;173,88;175,02;1.234.567',
          '2024-03-15;175,00;177,00;174,00;176,50;2.000.000',
        ),
      ),
    );
    expect(series.bars[0]).toMatchObject({ open: 174.5, volume: 1234567 });
  });

  it('reads semicolons with decimal dots', () => {
    const series = onlySeries(
      readReplayFile(
        'SPY.csv',
        lines(
          'time;open;high;low;close;volume',
          '2024-03-14;1.500;2;1;1.75;100',
          '2024-03-15;1.75;2;1;1.5;100',
        ),
      ),
    );
    expect(series.bars[0]?.open).toBe(1.5);
  });

  it('reads epoch seconds', () => {
    const series = onlySeries(
      readReplayFile(
        'ETHUSD.csv',
        lines(
          'timestamp,open,high,low,close,volume',
          '1710460800,3900,3950,3850,3920,10',
          '1710464400,3920,3990,3900,3980,12',
        ),
      ),
    );
    expect(series.instrument.symbol).toBe('ETH-USD');
    expect(series.interval).toBe('1h');
    expect(series.bars[1]?.time).toBe(1710464400000);
  });

  it('reads lower-case headers with day', () => {
    const series = onlySeries(
      readReplayFile(
        'BRK-A.csv',
        lines(
          'day,open,high,low,close,volume',
          '2014-03-03,174100.0,174997.0,172759.0,174500.0,800',
          '2014-03-04,175651.0,177989.0,175651.0,177989.0,700',
        ),
      ),
    );
    expect(series.instrument.symbol).toBe('BRK.A');
    expect(series.bars[1]?.close).toBe(177989);
  });

  it('skips null prices and keeps null volume', () => {
    const result = readReplayFile(
      'MSFT.csv',
      lines(
        'Date,Open,High,Low,Close,Volume',
        '2024-03-11,400,405,399,404,',
        '2024-03-12,null,null,null,null,null',
        '2024-03-13,NaN,410,400,405,100',
        '2024-03-14,405,410,403,409,null',
      ),
    );
    const series = onlySeries(result);
    expect(result.skippedRows).toBe(2);
    expect(series.bars.map((bar) => bar.volume)).toEqual([null, null]);
  });

  it('reads UTC offsets', () => {
    const series = onlySeries(
      readReplayFile(
        'EA.csv',
        lines(
          'Datetime,Open,High,Low,Close,Adj Close,Volume,Dividends,Stock Splits',
          '2026-05-26 09:30:00-04:00,200.5,201,200.4,200.9,200.7,1000,0,0',
          '2026-05-26 09:45:00-04:00,200.9,201.2,200.8,201.1,200.9,900,0,0',
        ),
      ),
    );
    expect(series.bars[0]?.time).toBe(Date.parse('2026-05-26T13:30:00Z'));
  });

  it('dates daily offsets as written', () => {
    const series = onlySeries(
      readReplayFile(
        '4063-T.csv',
        lines(
          'Date,Open,High,Low,Close,Adj Close,Volume,Dividends,Stock Splits',
          '2023-04-14 00:00:00+09:00,4126,4130,4055,4129,4129,7459400,0,0',
          '2023-04-13 00:00:00+09:00,4064,4099,4026,4081,4081,5160200,0,0',
        ),
      ),
    );
    expect(series.instrument.symbol).toBe('4063.T');
    expect(series.bars.map((bar) => bar.date)).toEqual([
      '2023-04-13',
      '2023-04-14',
    ]);
  });

  it('reads headerless klines', () => {
    const series = onlySeries(
      readReplayFile(
        'ADABTC.1m.csv',
        lines(
          '1637971200000,0.00002853,0.00002854,0.00002851,0.00002854,36304.2,1637971259999,1.03,79,19523.0,0.55,0',
          '1637971260000,0.00002854,0.00002860,0.00002854,0.00002859,89196.6,1637971319999,2.54,98,59004.2,1.68,0',
        ),
      ),
    );
    expect(series.instrument.symbol).toBe('ADA-BTC');
    expect(series.interval).toBe('1m');
    expect(series.bars[1]).toMatchObject({
      time: 1637971260000,
      close: 0.00002859,
      volume: 89196.6,
    });
  });

  it('sorts newest-first files', () => {
    const series = onlySeries(
      readReplayFile(
        'TSLA.csv',
        lines(
          'date,open,high,low,close',
          '2018/10/15,259.06,263.28,254.5367,259.59',
          '2018/10/12,261,261.99,252.01,258.78',
        ),
      ),
    );
    expect(series.bars.map((bar) => bar.date)).toEqual([
      '2018-10-12',
      '2018-10-15',
    ]);
  });

  it('skips the snapshot row', () => {
    const result = readReplayFile(
      'TSLA.csv',
      [
        '"date","close","volume","open","high","low"',
        '"11:34","270.49","4,787,699","264.50","273.88","262.24"',
        '"2018/10/15","259.5900","6189026.0000","259.0600","263.2800","254.5367"',
        '"2018/10/12","258.7800","7189257.0000","261.0000","261.9900","252.0100"',
      ].join('\r\n'),
    );
    expect(result.rows).toBe(3);
    expect(result.skippedRows).toBe(1);
    expect(onlySeries(result).bars[1]).toMatchObject({
      open: 259.06,
      close: 259.59,
      volume: 6189026,
    });
  });

  it('reads thousands separators in quotes', () => {
    const series = onlySeries(
      readReplayFile(
        'TSLA.csv',
        lines(
          'date,close,volume,open,high,low',
          '2018/10/12,"258.78","4,787,699","261","261.99","252.01"',
          '2018/10/15,"259.59","6,189,026","259.06","263.28","254.54"',
        ),
      ),
    );
    expect(series.bars[0]?.volume).toBe(4787699);
  });

  it('reads symbol-prefixed columns', () => {
    const series = onlySeries(
      readReplayFile(
        'AAPL.plotly.csv',
        lines(
          'Date,AAPL.Open,AAPL.High,AAPL.Low,AAPL.Close,AAPL.Volume,AAPL.Adjusted,dn,mavg,up,direction\r',
          '2015-02-17,127.489998,128.880005,126.919998,127.830002,63152400,122.905254,106.74,117.92,129.11,Increasing\r',
          '2015-02-18,127.629997,128.779999,127.449997,128.720001,44891700,123.760965,107.84,118.94,130.03,Increasing',
        ),
      ),
    );
    expect(series.bars[0]).toMatchObject({
      open: 127.489998,
      adjClose: 122.905254,
      volume: 63152400,
    });
  });

  it('takes the symbol from a column prefix', () => {
    const series = onlySeries(
      readReplayFile(
        'finance-charts-apple.csv',
        lines(
          'Date,AAPL.Open,AAPL.High,AAPL.Low,AAPL.Close',
          '2015-02-17,127.49,128.88,126.92,127.83',
          '2015-02-18,127.63,128.78,127.45,128.72',
        ),
      ),
    );
    expect(series.instrument.symbol).toBe('AAPL');
  });

  it('splits a long file by symbol', () => {
    const result = readReplayFile(
      'MULTI.csv',
      lines(
        ',Date,Open,High,Low,Close,Volume,ExDividend,SplitRatio,AdjOpen,AdjHigh,AdjLow,AdjClose,AdjVolume,Stock',
        '0,2017-12-29,170.52,170.59,169.22,169.23,25643711.0,0.0,1.0,170.52,170.59,169.22,169.23,25643711.0,AAPL',
        '1,2017-12-28,171.0,171.85,170.48,171.08,15997739.0,0.0,1.0,171.0,171.85,170.48,171.08,15997739.0,AAPL',
        '0,2017-12-29,316.18,316.41,310.0,311.35,3777155.0,0.0,1.0,316.18,316.41,310.0,311.35,3777155.0,TSLA',
        '1,2017-12-28,311.75,315.82,309.54,315.36,4321622.0,0.0,1.0,311.75,315.82,309.54,315.36,4321622.0,TSLA',
      ),
    );
    expect(result.series.map((one) => one.instrument.symbol)).toEqual([
      'AAPL',
      'TSLA',
    ]);
    expect(result.series[1]?.bars[0]?.close).toBe(315.36);
  });

  it('reports a bad symbol group', () => {
    const result = readReplayFile(
      'MULTI.csv',
      lines(
        'Date,Open,High,Low,Close,Ticker',
        '2017-12-28,1,1,1,1,AAPL',
        '2017-12-29,1,1,1,1,AAPL',
        '2017-12-29,1,1,1,1,NOT A SYMBOL',
      ),
    );
    expect(result.series).toHaveLength(1);
    expect(result.problems).toEqual([
      'the symbol column on line 4 is not a valid symbol',
    ]);
    expect(result.skippedRows).toBe(1);
  });

  it('skips impossible values', () => {
    const result = readReplayFile('SPY.csv', IMPOSSIBLE);
    expect(onlySeries(result).bars.map((bar) => bar.date)).toEqual([
      '2024-03-11',
      '2024-03-19',
    ]);
    expect(result.skippedRows).toBe(5);
  });

  it('lists rejected rows by line', () => {
    expect(readReplayFile('SPY.csv', IMPOSSIBLE).rejectedRows).toEqual([
      { line: 3, reason: 'the high is not a finite number' },
      { line: 4, reason: 'the low is not above zero' },
      { line: 5, reason: 'the high is below the low' },
      { line: 6, reason: 'the open is outside low..high' },
      { line: 7, reason: 'the volume is negative or not a finite number' },
    ]);
  });

  it('numbers lines of multi-line records', () => {
    const result = readReplayFile(
      'SPY.csv',
      lines(
        'Date,Open,High,Low,Close,Note',
        '2024-03-11,1,1,1,1,"two',
        'lines"',
        '',
        '2024-03-12,1,1,1,-1,x',
        '2024-03-13,1,1,1,1,x',
      ),
    );
    expect(result.rejectedRows).toEqual([
      { line: 5, reason: 'the close is not above zero' },
    ]);
  });

  it('lists at most five rejected rows', () => {
    const bad = Array.from(
      { length: 8 },
      (_, i) => `2024-04-0${i + 1},1,1,1,0`,
    );
    const result = readReplayFile(
      'SPY.csv',
      lines(
        'Date,Open,High,Low,Close',
        ...bad,
        '2024-03-11,1,1,1,1',
        '2024-03-12,1,1,1,1',
      ),
    );
    expect(result.skippedRows).toBe(8);
    expect(result.rejectedRows.map((row) => row.line)).toEqual([2, 3, 4, 5, 6]);
  });

  it('skips minority date-only rows', () => {
    const result = readReplayFile(
      'EA.csv',
      lines(
        'Datetime,Open,High,Low,Close',
        '2026-06-02 09:30:00-04:00,1,1,1,1',
        '2026-06-02,1,1,1,1',
        '2026-06-02 09:45:00-04:00,1,1,1,1',
        '2026-06-02 10:00:00-04:00,1,1,1,1',
      ),
    );
    expect(onlySeries(result).interval).toBe('15m');
    expect(result.skippedRows).toBe(1);
    expect(result.rejectedRows).toEqual([
      { line: 3, reason: 'a date without a time of day among intraday rows' },
    ]);
  });

  it('skips minority intraday rows', () => {
    const result = readReplayFile(
      'SPY.csv',
      lines(
        'Date,Open,High,Low,Close',
        '2024-03-11,1,1,1,1',
        '2024-03-12,1,1,1,1',
        '2024-03-12 10:00:00-04:00,1,1,1,1',
        '2024-03-13,1,1,1,1',
      ),
    );
    expect(onlySeries(result).interval).toBe('1d');
    expect(onlySeries(result).bars).toHaveLength(3);
    expect(result.rejectedRows).toEqual([
      { line: 4, reason: 'a time of day among date-only rows' },
    ]);
  });

  it('keeps midnight timestamps in intraday data', () => {
    const result = readReplayFile(
      'BTCUSD.csv',
      lines(
        'Datetime,Open,High,Low,Close',
        '2024-03-11 23:59:00Z,1,1,1,1',
        '2024-03-12 00:00:00Z,1,1,1,1',
        '2024-03-12 00:01:00Z,1,1,1,1',
      ),
    );
    expect(onlySeries(result).bars).toHaveLength(3);
    expect(result.skippedRows).toBe(0);
  });

  it('counts a duplicate time', () => {
    const result = readReplayFile(
      'SPY.csv',
      lines(
        'Date,Open,High,Low,Close',
        '2024-03-11,1,1,1,1',
        '2024-03-12,1,1,1,1',
        '2024-03-12,2,2,2,2',
      ),
    );
    expect(result.rejectedRows).toEqual([
      { line: 4, reason: 'an earlier row has the same time' },
    ]);
  });

  it('names the header line only', () => {
    const error = readError(
      'passwd.csv',
      'root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/usr/sbin:/bin/sh',
    );
    expect(error?.reason).toBe(
      'header on line 1 has no time, open, high, low, close column',
    );
  });

  it('reports unknown spacing', () => {
    const result = readReplayFile(
      'SPY.csv',
      lines(
        'Datetime,Open,High,Low,Close',
        '2024-03-11 10:00:00-04:00,1,1,1,1',
        '2024-03-11 12:00:00-04:00,1,1,1,1',
      ),
    );
    expect(result.series).toHaveLength(0);
    expect(result.problems[0]).toContain('SPY: bar spacing matches none');
  });

  it('reads split and dividend events', () => {
    const series = onlySeries(
      readReplayFile(
        'AAPL.csv',
        lines(
          'date,open,high,low,close,volume,dividend,split',
          '2014-06-06,92.842857,93.03714,92.067146,92.224289,87484600,0.0,1.0',
          '2014-06-09,92.699997,93.879997,91.75,93.699997,75415000,0.0,7.0',
          '2014-08-07,94.93,95.949997,94.099998,94.480003,46711000,0.47,1.0',
        ),
      ),
    );
    expect(series.events).toEqual([
      { date: '2014-06-09', type: 'split', ratio: 7 },
      { date: '2014-08-07', type: 'dividend', amount: 0.47 },
    ]);
  });

  it('tolerates a byte order mark', () => {
    const series = onlySeries(
      readReplayFile(
        'SPY.csv',
        '\uFEFFDate,Open,High,Low,Close\n2024-03-11,1,1,1,1\n2024-03-12,1,1,1,1',
      ),
    );
    expect(series.bars).toHaveLength(2);
  });

  it('rejects a file without prices', () => {
    expect(() =>
      readReplayFile('notes.txt', 'Shopping list\neggs\nmilk'),
    ).toThrow(ReplayFileError);
  });

  it('rejects an empty file', () => {
    expect(() => readReplayFile('SPY.csv', '')).toThrow('no rows');
  });

  it('rejects a file without a symbol', () => {
    expect(() =>
      readReplayFile(
        'my prices.csv',
        'Date,Open,High,Low,Close\n2024-03-11,1,1,1,1',
      ),
    ).toThrow('neither the file name "my prices"');
  });
});
