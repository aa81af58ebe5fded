import { describe, expect, it } from 'vitest';
import { derivedFixture } from '../../../test/support/fake-upstream.js';
import { timeSeriesSchema, type SeriesPayload } from './schemas.js';
import { readSeriesRows, seriesZone } from './series-rows.js';

function payload(rows: SeriesPayload['rows'], zone = 'US/Eastern') {
  return { meta: { '4. Time Zone': zone }, seriesKey: 'Series', rows };
}

const row = (open: string, close = open) => ({
  '1. open': open,
  '2. high': close,
  '3. low': open,
  '4. close': close,
  '5. volume': '100',
});

describe('seriesZone', () => {
  it('maps US/Eastern to its canonical name', () => {
    expect(seriesZone({ '5. Time Zone': 'US/Eastern' })).toBe(
      'America/New_York',
    );
  });

  it('keeps UTC', () => {
    expect(seriesZone({ '7. Time Zone': 'UTC' })).toBe('UTC');
  });

  it('rejects unknown zones', () => {
    expect(seriesZone({ '4. Time Zone': 'Mars/Olympus' })).toBeNull();
  });
});

describe('readSeriesRows', () => {
  it('sorts rows ascending', () => {
    const read = readSeriesRows(
      payload({ '2023-11-10': row('2'), '2023-11-09': row('1') }),
      '1d',
      'America/New_York',
    );
    expect(read.bars.map((bar) => bar.date)).toEqual([
      '2023-11-09',
      '2023-11-10',
    ]);
  });

  it('dates daily bars at midnight UTC', () => {
    const read = readSeriesRows(
      payload({ '2023-11-10': row('2') }),
      '1d',
      'America/New_York',
    );
    expect(read.bars[0]?.time).toBe(Date.parse('2023-11-10T00:00:00Z'));
  });

  it('re-dates weeks to their Monday', () => {
    const read = readSeriesRows(
      payload({ '2020-05-08': row('1') }),
      '1wk',
      'America/New_York',
    );
    expect(read.bars[0]?.date).toBe('2020-05-04');
  });

  it('re-dates months to their first day', () => {
    const read = readSeriesRows(
      payload({ '2023-10-31': row('1') }),
      '1mo',
      'America/New_York',
    );
    expect(read.bars[0]?.date).toBe('2023-10-01');
  });

  it('reads intraday keys in the zone', () => {
    const read = readSeriesRows(
      payload({ '2017-12-18 14:56:00': row('1') }),
      '1m',
      'America/New_York',
    );
    expect(read.bars[0]?.time).toBe(Date.parse('2017-12-18T19:56:00Z'));
  });

  it('reads intraday keys across daylight saving', () => {
    const read = readSeriesRows(
      payload({ '2023-07-03 09:30:00': row('1') }),
      '5m',
      'America/New_York',
    );
    expect(read.bars[0]?.time).toBe(Date.parse('2023-07-03T13:30:00Z'));
  });

  it('counts rows with placeholder prices', () => {
    const read = readSeriesRows(
      payload({
        '2023-11-10': row('None'),
        '2023-11-09': row('null'),
        '2023-11-08': row('NaN'),
        '2023-11-07': row('1'),
      }),
      '1d',
      'America/New_York',
    );
    expect(read.invalid).toBe(3);
    expect(read.bars).toHaveLength(1);
  });

  it('counts rows with bad keys', () => {
    const read = readSeriesRows(
      payload({ 'not a date': row('1') }),
      '1d',
      'America/New_York',
    );
    expect(read.invalid).toBe(1);
  });

  it('keeps a missing volume as null', () => {
    const read = readSeriesRows(
      payload({
        '2024-03-15': {
          '1. open': '1',
          '2. high': '1',
          '3. low': '1',
          '4. close': '1',
        },
      }),
      '1d',
      'UTC',
    );
    expect(read.bars[0]?.volume).toBeNull();
  });

  it('reads numbers, never strings', () => {
    const read = readSeriesRows(
      payload({ '2023-11-10': row('147.4400', '149.0200') }),
      '1d',
      'America/New_York',
    );
    expect(read.bars[0]?.open).toBe(147.44);
    expect(read.bars[0]?.close).toBe(149.02);
  });
});

describe('readSeriesRows with two currencies', () => {
  const legacy = timeSeriesSchema.parse(
    JSON.parse(
      derivedFixture(
        'alpha-vantage/digital_currency_daily_BTC_CNY_legacy.json',
      ),
    ),
  );

  it('picks the market currency', () => {
    const read = readSeriesRows(legacy, '1d', 'UTC', 'CNY');
    expect(read.bars.at(-1)?.close).toBe(123574.46322682);
  });

  it('picks USD when asked', () => {
    const read = readSeriesRows(legacy, '1d', 'UTC', 'USD');
    expect(read.bars.at(-1)?.close).toBe(18780.02814954);
  });
});
