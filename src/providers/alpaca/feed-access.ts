/** Alpaca's stock feeds: `iex` (the IEX exchange alone, free) or `sip` (every US exchange). */
export type AlpacaFeed = 'iex' | 'sip';

/** SIP data a free plan withholds, counted back from now. */
const SIP_DELAY_MS = 15 * 60_000;
/**
 * Margin past the 15 minutes: Alpaca rejects the whole request when `end`
 * is a second too recent, so clock skew must not decide it.
 */
const CLOCK_MARGIN_MS = 60_000;

/**
 * The configured stock feed, and whether Alpaca has shown that the key's
 * plan withholds recent SIP data. A free plan rejects SIP requests whose
 * `end` lies within the last 15 minutes, and every latest-data request on
 * SIP, with 403 "subscription does not permit querying recent SIP data".
 * Once that was seen, history requests end 16 minutes ago and latest data
 * comes from the IEX feed, until the process restarts.
 */
export class FeedAccess {
  private recentSipDenied = false;

  constructor(readonly feed: AlpacaFeed) {}

  /** True when SIP is configured and the plan was seen to withhold its recent data. */
  get sipDelayed(): boolean {
    return this.feed === 'sip' && this.recentSipDenied;
  }

  /** Returns the feed for snapshots and latest trades and quotes. */
  latestFeed(): AlpacaFeed {
    return this.sipDelayed ? 'iex' : this.feed;
  }

  /** Returns the latest `end` a history request may send, in epoch ms. */
  servableEnd(now: number): number {
    return this.sipDelayed ? now - SIP_DELAY_MS - CLOCK_MARGIN_MS : now;
  }

  /** Records a 403 for recent SIP data; returns true the first time. */
  recordRecentSipDenial(): boolean {
    const first = !this.recentSipDenied;
    this.recentSipDenied = true;

    return first;
  }
}
