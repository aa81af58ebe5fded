import type { UpstreamId } from '../config/upstream-config.js';
import { AlpacaSource } from './alpaca/alpaca.adapter.js';
import { AlphaVantageSource } from './alpha-vantage/alpha-vantage.adapter.js';
import { CoinbaseSource } from './coinbase/coinbase.adapter.js';
import { FinnhubSource } from './finnhub/finnhub.adapter.js';
import type { MarketDataSource } from './market-data-source.js';
import { NasdaqDataLinkSource } from './nasdaq-data-link/nasdaq-data-link.adapter.js';
import { PolygonSource } from './polygon/polygon.adapter.js';
import type { UpstreamContext } from './upstream/upstream-source.js';
import { YahooSource } from './yahoo/yahoo.adapter.js';

/** Builds one upstream adapter from its context. */
export type UpstreamAdapterClass = new (
  context: UpstreamContext,
) => MarketDataSource & {
  close(): Promise<void>;
};

/** The adapter class of each upstream source this build has. */
export const UPSTREAM_ADAPTERS: Partial<
  Record<UpstreamId, UpstreamAdapterClass>
> = {
  alpaca: AlpacaSource,
  alpha_vantage: AlphaVantageSource,
  coinbase: CoinbaseSource,
  finnhub: FinnhubSource,
  nasdaq_data_link: NasdaqDataLinkSource,
  polygon: PolygonSource,
  yahoo: YahooSource,
};
