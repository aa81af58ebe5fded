import { Injectable } from '@nestjs/common';
import { cacheKey } from '../cache/cache-keys.js';
import { MarketCache } from '../cache/market-cache.service.js';
import { ApiError } from '../common/api.errors.js';
import { Clock } from '../common/clock.js';
import type { RequestContext } from '../common/request-deadline.js';
import { UsEquityCalendar } from '../market/exchange-calendar.js';
import { isUsListed, timeZoneOf } from '../market/exchange-zones.js';
import { sessionAt } from '../market/market-session.js';
import type { Profile } from '../market/profile.js';
import type { Session } from '../market/quote.js';
import type { Instrument } from '../market/symbol.js';
import { FailoverService } from '../providers/failover.service.js';
import { SourceRegistry } from '../providers/source-registry.service.js';
import { QuotesService } from './quotes.service.js';

const TRADING_HOURS: Readonly<
  Record<'us' | 'crypto' | 'forex' | 'other', string>
> = {
  us: '09:30-16:00 America/New_York, Monday to Friday except exchange holidays; 13:00 on early-close days',
  crypto: '24 hours, every day (UTC)',
  forex: 'Sunday 17:00 to Friday 17:00 America/New_York',
  other: 'the local hours of its exchange',
};

/** Serves profile, info, summary and search requests. */
@Injectable()
export class InstrumentsService {
  private readonly calendar = new UsEquityCalendar();

  constructor(
    private readonly failover: FailoverService,
    private readonly registry: SourceRegistry,
    private readonly quotes: QuotesService,
    private readonly clock: Clock,
    private readonly cache: MarketCache,
  ) {}

  /** The profile of one instrument, from the cache or else the profile sources. */
  async profile(
    instrument: Instrument,
    context?: RequestContext,
  ): Promise<Profile> {
    const cached = await this.cache.get({
      context,
      kind: 'profile',
      key: cacheKey('profile', instrument.symbol, {
        asset: instrument.assetClass,
      }),
      load: async () => {
        const answer = await this.failover.call(
          'profile',
          instrument.symbol,
          (source) => {
            if (!source.getProfile)
              throw new Error(
                `${source.id} lists profiles but has no getProfile`,
              );
            return source.getProfile(instrument);
          },
        );
        return answer.value;
      },
    });

    return cached.outcome === 'STALE'
      ? { ...cached.value, stale: true }
      : cached.value;
  }

  /** Returns a quote with a short profile, which is null when no source has one. */
  async summary(instrument: Instrument, context?: RequestContext) {
    const [quote, profile] = await Promise.all([
      this.quotes.quote(instrument, context),
      this.profile(instrument, context).catch((error: unknown) => {
        if (error instanceof ApiError) return null;
        throw error;
      }),
    ]);
    const summary = profile && {
      name: profile.name,
      exchange: profile.exchange,
      sector: profile.sector,
      industry: profile.industry,
      country: profile.country,
      source: profile.source,
      asOf: new Date(profile.asOf).toISOString(),
      stale: profile.stale,
    };

    return { symbol: instrument.symbol, quote, profile: summary };
  }

  /** Describes an instrument: its market, trading hours, coverage and sources. */
  async info(instrument: Instrument, context?: RequestContext) {
    const profile = await this.profile(instrument, context);

    return {
      symbol: instrument.symbol,
      assetClass: instrument.assetClass,
      name: profile.name,
      exchange: profile.exchange,
      currency: profile.currency,
      base: instrument.base ?? null,
      quote: instrument.quote ?? null,
      timeZone: timeZoneOf(instrument),
      session: this.session(instrument),
      tradingHours: TRADING_HOURS[this.market(instrument)],
      coverage: profile.coverage,
      sources: this.registry.order(),
      source: profile.source,
    };
  }

  /**
   * Searches the search sources in order and stops at the first that finds
   * anything, so upstream quotas are not spent once an answer is in. Sources
   * that failed on the way are listed under `errors`, and such an answer is
   * not cached; when every source failed, the combined error is thrown.
   */
  async search(query: string, limit: number, context?: RequestContext) {
    const cached = await this.cache.get({
      context,
      kind: 'search',
      key: cacheKey('search', normalizedQuery(query), { limit }),
      load: async () => {
        const answer = await this.failover.callUntil(
          'search',
          query,
          async (source) => {
            if (!source.search)
              throw new Error(`${source.id} lists search but has no search`);
            return (await source.search(query, limit)).slice(0, limit);
          },
          (matches) => matches.length > 0,
        );
        return { results: answer.value, errors: answer.attempts };
      },
      ttlMs: (answer) =>
        answer.errors.length > 0 ? 0 : this.cache.ttlOf('search'),
    });

    return cached.value;
  }

  private market(instrument: Instrument): keyof typeof TRADING_HOURS {
    if (instrument.assetClass === 'crypto') return 'crypto';
    if (instrument.assetClass === 'forex') return 'forex';

    return isUsListed(instrument) ? 'us' : 'other';
  }

  private session(instrument: Instrument): Session {
    return sessionAt(instrument, this.clock.now(), this.calendar);
  }
}

/** Search text as the cache keys it: case, and runs of spaces, do not matter. */
function normalizedQuery(query: string): string {
  return query.trim().replace(/\s+/g, ' ').toLowerCase();
}
