import { describe, expect, it } from 'vitest';
import {
  detectDelimiter,
  detectLayout,
  type ColumnLayout,
} from './csv-layout.js';

function layoutOf(header: string): ColumnLayout {
  const layout = detectLayout(header.split(','));
  if (typeof layout === 'string') throw new Error(layout);

  return layout;
}

describe('detectDelimiter', () => {
  it('picks a comma', () => {
    expect(detectDelimiter('Date,Open,High,Low,Close')).toBe(',');
  });

  it('picks a semicolon', () => {
    expect(detectDelimiter('Date;Open;High;Low;Close')).toBe(';');
  });

  it('picks a tab', () => {
    expect(detectDelimiter('Date\tOpen\tHigh\tLow\tClose')).toBe('\t');
  });

  it('ignores commas inside quotes', () => {
    expect(detectDelimiter('"Date";"Open, first";"High";"Low"')).toBe(';');
  });
});

describe('detectLayout', () => {
  it('maps the Yahoo export', () => {
    expect(
      layoutOf(
        'Date,Open,High,Low,Close,Adj Close,Volume,Dividends,Stock Splits',
      ),
    ).toMatchObject({
      header: true,
      time: 0,
      open: 1,
      close: 4,
      adjClose: 5,
      volume: 6,
      dividend: 7,
      split: 8,
    });
  });

  it('maps lower-case headers', () => {
    expect(layoutOf('date,open,high,low,close,volume')).toMatchObject({
      time: 0,
      low: 3,
      volume: 5,
    });
  });

  it.each(['day', 'Datetime', 'timestamp', 'time'])(
    'accepts %s as the time',
    (name) => {
      expect(layoutOf(`${name},open,high,low,close`).time).toBe(0);
    },
  );

  it('prefers a timestamp over a date', () => {
    expect(layoutOf('date,open,high,low,close,timestamp').time).toBe(5);
  });

  it('joins a date and a time column', () => {
    expect(layoutOf('Date,Time,Open,High,Low,Close')).toMatchObject({
      time: 0,
      timeOfDay: 1,
    });
  });

  it('strips a symbol prefix', () => {
    const layout = layoutOf(
      'Date,AAPL.Open,AAPL.High,AAPL.Low,AAPL.Close,AAPL.Volume,AAPL.Adjusted,dn,mavg,up,direction',
    );
    expect(layout).toMatchObject({ open: 1, volume: 5, adjClose: 6 });
    expect(layout.columnPrefix).toBe('AAPL');
  });

  it('reads a dotted name whole', () => {
    expect(layoutOf('Date,Open,High,Low,Close,Adj. Close').adjClose).toBe(5);
  });

  it('skips an unnamed index column', () => {
    expect(layoutOf(',date,open,high,low,close,volume').time).toBe(1);
  });

  it('takes an unnamed column as time', () => {
    expect(layoutOf(',Open,High,Low,Close,Volume').time).toBe(0);
  });

  it('maps the Quandl columns', () => {
    expect(
      layoutOf(
        ',Date,Open,High,Low,Close,Volume,ExDividend,SplitRatio,AdjOpen,AdjHigh,AdjLow,AdjClose,AdjVolume,Stock',
      ),
    ).toMatchObject({
      time: 1,
      dividend: 7,
      split: 8,
      adjOpen: 9,
      adjHigh: 10,
      adjLow: 11,
      adjClose: 12,
      adjVolume: 13,
      symbol: 14,
    });
  });

  it('maps columns in any order', () => {
    expect(layoutOf('date,close,volume,open,high,low')).toMatchObject({
      close: 1,
      volume: 2,
      open: 3,
      high: 4,
      low: 5,
    });
  });

  it.each(['Symbol', 'Ticker', 'Stock'])('finds a %s column', (name) => {
    expect(layoutOf(`Date,${name},Open,High,Low,Close`).symbol).toBe(1);
  });

  it('reads headerless klines', () => {
    const layout = detectLayout(
      '1637971200000,0.00002853,0.00002854,0.00002851,0.00002854,36304.2,1637971259999'.split(
        ',',
      ),
    );
    expect(layout).toMatchObject({
      header: false,
      time: 0,
      close: 4,
      volume: 5,
    });
  });

  it('names the missing columns', () => {
    expect(detectLayout(['Date', 'Close', 'Volume'])).toContain(
      'has no open, high, low column',
    );
  });
});
