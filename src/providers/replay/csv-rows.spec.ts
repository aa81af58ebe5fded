import { describe, expect, it } from 'vitest';
import { detectLayout } from './csv-layout.js';
import {
  parseRow,
  parseSplitRatio,
  type ParsedRow,
  type RowOptions,
} from './csv-rows.js';

function optionsFor(header: string, decimalComma = false): RowOptions {
  const layout = detectLayout(header.split(','));
  if (typeof layout === 'string') throw new Error(layout);

  return { layout, zone: 'America/New_York', decimalComma };
}

const YAHOO = optionsFor(
  'Date,Open,High,Low,Close,Adj Close,Volume,Dividends,Stock Splits',
);
const QUANDL = optionsFor(
  'Date,Open,High,Low,Close,Volume,ExDividend,SplitRatio,AdjOpen,AdjHigh,AdjLow,AdjClose,AdjVolume',
);

/** Reads a row that must be readable. */
function readRow(cells: readonly string[], options: RowOptions): ParsedRow {
  const row = parseRow(cells, options);
  if (typeof row === 'string') throw new Error(row);

  return row;
}

describe('parseRow', () => {
  it('reads a Yahoo row', () => {
    const row = readRow(
      '2023-03-30,4257,4268,4119,4161,4161,5535200,55,5'.split(','),
      YAHOO,
    );
    expect(row).toMatchObject({
      open: 4257,
      high: 4268,
      low: 4119,
      close: 4161,
      adjClose: 4161,
      volume: 5535200,
      dividend: 55,
      split: 5,
    });
  });

  it('scales prices by the adjusted close', () => {
    const row = readRow(
      '2023-03-28,21000,21035,20620,20710,20439.185546875,901100,0,0'.split(
        ',',
      ),
      YAHOO,
    );
    const factor = 20439.185546875 / 20710;
    expect(row?.adjusted).toEqual({
      open: 21000 * factor,
      high: 21035 * factor,
      low: 20620 * factor,
      close: 20439.185546875,
      volume: 901100,
    });
  });

  it('uses Quandl adjusted columns directly', () => {
    const row = readRow(
      '2014-06-09,92.7,93.88,91.75,93.7,75415000,0,7,13.2,13.4,13.1,13.3,527905000'.split(
        ',',
      ),
      QUANDL,
    );
    expect(row?.adjusted).toEqual({
      open: 13.2,
      high: 13.4,
      low: 13.1,
      close: 13.3,
      volume: 527905000,
    });
  });

  it('treats zero dividend and split as none', () => {
    const row = readRow(
      '2023-04-14,4126,4130,4055,4129,4129,7459400,0,0'.split(','),
      YAHOO,
    );
    expect(row?.dividend).toBeNull();
    expect(row?.split).toBeNull();
  });

  it('reads a missing volume as null', () => {
    const row = readRow('2024-03-15,1,2,0.5,1.5,1.5,,0,0'.split(','), YAHOO);
    expect(row?.volume).toBeNull();
  });

  it('rejects a missing price', () => {
    expect(
      parseRow('2024-03-15,1,null,0.5,1.5,1.5,100,0,0'.split(','), YAHOO),
    ).toBe('the high is missing');
  });

  it('rejects a time of day alone', () => {
    expect(parseRow('11:34,1,2,0.5,1.5,1.5,100,0,0'.split(','), YAHOO)).toBe(
      'the time cannot be read',
    );
  });

  it('rejects a malformed volume', () => {
    expect(
      parseRow('2024-03-15,1,2,0.5,1.5,1.5,lots,0,0'.split(','), YAHOO),
    ).toBe('the volume is not a number');
  });

  it('omits a missing adjusted close', () => {
    const row = readRow('2024-03-15,1,2,0.5,1.5,NaN,100,0,0'.split(','), YAHOO);
    expect(row).not.toHaveProperty('adjClose');
    expect(row).not.toHaveProperty('adjusted');
  });

  it('joins date and time columns', () => {
    const row = readRow(
      '2024-03-15,09:30,1,2,0.5,1.5'.split(','),
      optionsFor('Date,Time,Open,High,Low,Close'),
    );
    expect(row?.stamp.ms).toBe(Date.parse('2024-03-15T13:30:00Z'));
  });

  it('reads decimal commas', () => {
    const row = readRow(
      ['2024-03-15', '1,5', '2,25', '1,25', '2'],
      optionsFor('Date,Open,High,Low,Close', true),
    );
    expect(row?.high).toBe(2.25);
  });
});

describe('parseRow value checks', () => {
  it('rejects a price of many digits', () => {
    const huge = `1${'0'.repeat(100_000)}`;
    expect(
      parseRow(`2024-03-15,1,${huge},0.5,1.5,1.5,100,0,0`.split(','), YAHOO),
    ).toBe('the high is not a finite number');
  });

  it('rejects a close above the high', () => {
    expect(
      parseRow('2024-03-15,1,2,0.5,2.5,2.5,100,0,0'.split(','), YAHOO),
    ).toBe('the close is outside low..high');
  });

  it('keeps a close just above high', () => {
    const row = readRow(
      '2014-03-03,523.42,530.65,522.81,530.6500000000001,1,59695300,0,0'.split(
        ',',
      ),
      YAHOO,
    );
    expect(row.close).toBe(530.6500000000001);
  });

  it('drops an infinite adjusted close', () => {
    const huge = `1${'0'.repeat(400)}`;
    const row = readRow(
      `2024-03-15,1,2,0.5,1.5,${huge},100,0,0`.split(','),
      YAHOO,
    );
    expect(row).not.toHaveProperty('adjClose');
    expect(row).not.toHaveProperty('adjusted');
  });

  it('drops impossible adjusted columns', () => {
    const row = readRow(
      '2014-06-09,92.7,93.88,91.75,93.7,75415000,0,7,13.2,13.1,13.4,13.3,527905000'.split(
        ',',
      ),
      QUANDL,
    );
    expect(row).not.toHaveProperty('adjusted');
  });
});

describe('parseSplitRatio', () => {
  it('reads a ratio', () => {
    expect(parseSplitRatio('7.0')).toBe(7);
  });

  it('reads new to old shares', () => {
    expect(parseSplitRatio('3:2')).toBe(1.5);
  });

  it('reads a slashed ratio', () => {
    expect(parseSplitRatio('1/10')).toBe(0.1);
  });

  it.each(['0', '1.0', '', 'n/a'])('reads "%s" as no split', (cell) => {
    expect(parseSplitRatio(cell)).toBeNull();
  });
});
