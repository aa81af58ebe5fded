import { Injectable } from '@nestjs/common';
import { cacheKey } from '../cache/cache-keys.js';
import { MarketCache } from '../cache/market-cache.service.js';
import {
  DataNotAvailableError,
  InvalidParameterError,
} from '../common/api.errors.js';
import { Clock } from '../common/clock.js';
import type { RequestContext } from '../common/request-deadline.js';
import type { Bar, BarSeries } from '../market/bar.js';
import type { Instrument } from '../market/symbol.js';
import { barEnd, type Interval, periodStart } from '../market/interval.js';
import { resolveBound, type TimeBound } from '../market/time-range.js';
import { FailoverService } from '../providers/failover.service.js';
import type { HistoryQueryDto } from './dto/history-query.dto.js';
import {
  decodeCursor,
  encodeCursor,
  type HistoryCursor,
} from './history-cursor.js';

/** Serves history requests: resolves the range, queries the sources and pages the bars. */
@Injectable()
export class HistoryService {
  constructor(
    private readonly failover: FailoverService,
    private readonly clock: Clock,
    private readonly cache: MarketCache,
  ) {}

  async history(
    instrument: Instrument,
    query: HistoryQueryDto,
    context?: RequestContext,
  ): Promise<BarSeries> {
    const key = [instrument.symbol, query.interval, query.adjusted].join('|');
    const range = query.cursor
      ? decodeCursor(query.cursor, key)
      : this.range(instrument, query, key);
    const cached = await this.cache.get({
      context,
      kind: 'history',
      key: this.cacheKeyOf(instrument, query, range),
      load: () =>
        this.failover.call('history', instrument.symbol, (source) => {
          if (!source.getHistory)
            throw new Error(`${source.id} lists history but has no getHistory`);
          return source.getHistory({
            instrument,
            interval: query.interval,
            start: range.start,
            end: range.end,
            // Requesting one bar more than a page shows whether the range continues.
            limit: query.limit + 1,
            adjusted: query.adjusted,
          });
        }),
      // A bar still forming changes as often as the quote does.
      ttlMs: (answer) =>
        answer.value.bars.at(-1)?.complete === false
          ? this.cache.ttlOf('quote')
          : this.cache.ttlOf('history'),
    });
    const answer = cached.value;
    const result = answer.value;
    const inRange = result.bars.filter(
      (bar) =>
        (range.start === null || bar.time >= range.start) &&
        bar.time <= range.end,
    );
    if (inRange.length === 0) {
      throw new DataNotAvailableError(
        instrument.symbol,
        `${answer.source} has no ${query.interval} bars for ${instrument.symbol} in the requested range.`,
      );
    }
    const { bars, next } = page(inRange, range, query.limit);
    // Events belong to the part of the range this page covers, including
    // days whose bars were dropped or missing (a split on a day without data).
    const firstBar = dayStart(bars[0]?.time ?? range.end);
    const pagedBack = next?.direction === 'backward';
    const spanStart = pagedBack
      ? firstBar
      : Math.min(range.start ?? firstBar, firstBar);
    const spanEnd =
      next?.direction === 'forward' && next.start !== null
        ? next.start - 1
        : range.end;

    return {
      symbol: instrument.symbol,
      interval: query.interval,
      timeZone: result.timeZone,
      adjustment: result.adjustment,
      source: answer.source,
      asOf: asOfBars(bars, query.interval, result.asOf),
      stale: cached.outcome === 'STALE',
      bars,
      events: result.events.filter((event) => {
        const time = Date.parse(`${event.date}T00:00:00Z`);
        return time >= spanStart && time <= spanEnd;
      }),
      coverage: result.coverage,
      next: next ? encodeCursor(next) : null,
    };
  }

  /**
   * Keys the source request. A range that ends now or later is keyed as open
   * ended, so requests without `to` share one entry however far apart they come.
   */
  private cacheKeyOf(
    instrument: Instrument,
    query: HistoryQueryDto,
    range: HistoryCursor,
  ): string {
    return cacheKey('history', instrument.symbol, {
      asset: instrument.assetClass,
      interval: query.interval,
      adjusted: query.adjusted,
      limit: query.limit + 1,
      from: range.start ?? 'first',
      to: range.end >= this.clock.now() ? 'latest' : range.end,
    });
  }

  private range(
    instrument: Instrument,
    query: HistoryQueryDto,
    key: string,
  ): HistoryCursor {
    // A week or month bar is dated by its first day, so a `from` inside the
    // period still includes it.
    const start = query.from
      ? periodStart(
          resolveBound(query.from, 'from', query.interval, instrument),
          query.interval,
        )
      : null;
    const end = query.to
      ? resolveBound(query.to, 'to', query.interval, instrument)
      : resolveBound(
          { kind: 'instant', ms: this.clock.now() },
          'to',
          query.interval,
          instrument,
        );
    if (start !== null && start > end) {
      const to = query.to ? 'to' : 'to (now, since to is not given)';
      throw new InvalidParameterError(
        'from',
        `from is after ${to}; give a from that is on or before it.`,
        { from: boundText(query.from), to: boundText(query.to) },
      );
    }

    return {
      key,
      start,
      end,
      direction: start === null ? 'backward' : 'forward',
    };
  }
}

/**
 * Returns the instant the bars are valid as of: the end of the last bar once
 * it is complete, so a repeated request for a closed range gets the same
 * body and ETag, else the source's own time.
 */
function asOfBars(
  bars: readonly Bar[],
  interval: Interval,
  sourceAsOf: number,
): number {
  const last = bars.at(-1);
  if (!last?.complete) return sourceAsOf;

  return Math.min(sourceAsOf, barEnd(last.time, interval));
}

function boundText(bound: TimeBound | undefined): string | undefined {
  if (!bound) return undefined;

  return bound.kind === 'date' ? bound.date : new Date(bound.ms).toISOString();
}

/** Cuts one page of `limit` bars and the cursor for the rest of the range. */
function page(bars: Bar[], range: HistoryCursor, limit: number) {
  if (bars.length <= limit) return { bars, next: null };
  if (range.direction === 'forward') {
    const kept = bars.slice(0, limit);
    const last = kept.at(-1)?.time ?? range.end;

    return { bars: kept, next: { ...range, start: last + 1 } };
  }
  const kept = bars.slice(-limit);
  const first = kept[0]?.time ?? range.end;

  return { bars: kept, next: { ...range, end: first - 1 } };
}

function dayStart(ms: number): number {
  return ms - (ms % 86_400_000);
}
