import { Injectable } from '@nestjs/common';
import {
  DataNotAvailableError,
  InvalidParameterError,
} from '../common/api.errors.js';
import { Clock } from '../common/clock.js';
import type { Bar, BarSeries } from '../market/bar.js';
import type { Instrument } from '../market/symbol.js';
import { resolveBound } from '../market/time-range.js';
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
  ) {}

  async history(
    instrument: Instrument,
    query: HistoryQueryDto,
  ): Promise<BarSeries> {
    const key = [instrument.symbol, query.interval, query.adjusted].join('|');
    const range = query.cursor
      ? decodeCursor(query.cursor, key)
      : this.range(instrument, query, key);
    const answer = await this.failover.call(
      'history',
      instrument.symbol,
      (source) => {
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
      },
    );
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
    const spanStart = dayStart(bars[0]?.time ?? range.end);
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
      asOf: result.asOf,
      stale: false,
      bars,
      events: result.events.filter((event) => {
        const time = Date.parse(`${event.date}T00:00:00Z`);
        return time >= spanStart && time <= spanEnd;
      }),
      coverage: result.coverage,
      next: next ? encodeCursor(next) : null,
    };
  }

  private range(
    instrument: Instrument,
    query: HistoryQueryDto,
    key: string,
  ): HistoryCursor {
    const start = query.from
      ? resolveBound(query.from, 'from', query.interval, instrument)
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
      throw new InvalidParameterError(
        'from',
        'from is after to; give a from that is on or before to.',
        { from: query.from, to: query.to },
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
