import { setTimeout as sleep } from 'node:timers/promises';
import {
  afterAll,
  afterEach,
  beforeAll,
  describe,
  expect,
  it,
  vi,
} from 'vitest';
import {
  type CacheUnderTest,
  startMarketCache,
} from '../../test/support/market-cache.js';
import { Clock } from '../common/clock.js';
import type { Bar, CorporateAction } from '../market/bar.js';
import { parseSymbol } from '../market/symbol.js';
import type { FailoverService } from '../providers/failover.service.js';
import type { HistoryResult } from '../providers/market-data-source.js';
import { historyQuerySchema } from './dto/history-query.dto.js';
import { HistoryService } from './history.service.js';

const day = (date: string): Bar => ({
  time: Date.parse(`${date}T00:00:00Z`),
  date,
  open: 1,
  high: 1,
  low: 1,
  close: 1,
  volume: 1,
  complete: true,
});

/** A failover that answers every history call with the given result. */
function serving(result: HistoryResult): FailoverService {
  return {
    call: () => Promise.resolve({ value: result, source: 'replay' }),
  } as unknown as FailoverService;
}

// Caching is off: every case answers the same request with other bars.
let cache: CacheUnderTest;
beforeAll(async () => {
  cache = await startMarketCache({ CACHE_TTL_HISTORY: '0' });
});
afterAll(() => cache.close());

const split: CorporateAction = { date: '2020-08-31', type: 'split', ratio: 4 };

function service(bars: Bar[], events: CorporateAction[]): HistoryService {
  const result = {
    bars,
    events,
    adjustment: 'raw',
    timeZone: 'America/New_York',
    asOf: Date.now(),
  } as const;

  return new HistoryService(serving(result), new Clock(), cache.cache);
}

const query = (text: Record<string, string>) => historyQuerySchema.parse(text);

describe('HistoryService events', () => {
  it('keeps a split on a day without bars', async () => {
    const history = service([day('2020-09-03'), day('2020-09-04')], [split]);
    const series = await history.history(
      parseSymbol('AAPL'),
      query({ from: '2020-08-27', to: '2020-09-04' }),
    );
    expect(series.events).toEqual([split]);
  });

  it('drops events outside the range', async () => {
    const history = service([day('2020-09-03'), day('2020-09-04')], [split]);
    const series = await history.history(
      parseSymbol('AAPL'),
      query({ from: '2020-09-01', to: '2020-09-04' }),
    );
    expect(series.events).toEqual([]);
  });

  it('gives each forward page its own events', async () => {
    const bars = ['2020-08-27', '2020-08-28', '2020-09-01', '2020-09-02'].map(
      day,
    );
    const history = service(bars, [split]);
    const first = await history.history(
      parseSymbol('AAPL'),
      query({ from: '2020-08-27', to: '2020-09-02', limit: '2' }),
    );
    expect(first.events).toEqual([]);
    const second = await history.history(
      parseSymbol('AAPL'),
      query({
        from: '2020-08-27',
        to: '2020-09-02',
        limit: '2',
        cursor: first.next ?? '',
      }),
    );
    expect(second.events).toEqual([split]);
  });
});

const closedRange = () => query({ from: '2020-09-01', to: '2020-09-04' });

describe('HistoryService caching', () => {
  let cached: CacheUnderTest;

  afterEach(() => cached.close());

  /** History whose last bar is complete or still forming, counting source calls. */
  async function counting(lastComplete: boolean) {
    cached = await startMarketCache({
      CACHE_TTL_QUOTE: '0.05',
      CACHE_TTL_HISTORY: '60',
    });
    const bars = [
      day('2020-09-03'),
      { ...day('2020-09-04'), complete: lastComplete },
    ];
    const result: HistoryResult = {
      bars,
      events: [],
      adjustment: 'raw',
      timeZone: 'America/New_York',
      asOf: Date.now(),
    };
    const call = vi.fn<() => Promise<{ value: HistoryResult; source: string }>>(
      () => Promise.resolve({ value: result, source: 'replay' }),
    );
    const failover = { call } as unknown as FailoverService;

    return {
      history: new HistoryService(failover, new Clock(), cached.cache),
      call,
    };
  }

  it('keeps closed bars for the history lifetime', async () => {
    const { history, call } = await counting(true);
    await history.history(parseSymbol('AAPL'), closedRange());
    await sleep(100);
    await history.history(parseSymbol('aapl'), closedRange());
    expect(call).toHaveBeenCalledTimes(1);
  });

  it('keeps a range whose last bar is forming only for the quote lifetime', async () => {
    const { history, call } = await counting(false);
    await history.history(parseSymbol('AAPL'), closedRange());
    await sleep(100);
    await history.history(parseSymbol('AAPL'), closedRange());
    expect(call).toHaveBeenCalledTimes(2);
  });

  it('keys requests without `to` as one open-ended range', async () => {
    const { history, call } = await counting(true);
    await history.history(parseSymbol('AAPL'), query({ from: '2020-09-01' }));
    await sleep(5);
    await history.history(parseSymbol('AAPL'), query({ from: '2020-09-01' }));
    expect(call).toHaveBeenCalledTimes(1);
  });
});
