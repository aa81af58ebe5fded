import type { AssetClass } from './asset-class.js';

export type Session = 'pre-market' | 'regular' | 'after-hours' | 'closed';

/** Latest price of one instrument, normalized across sources. Times are epoch ms. */
export interface Quote {
  symbol: string;
  assetClass: AssetClass;
  currency: string;
  exchange: string | null;
  price: number;
  change: number | null;
  changePercent: number | null;
  previousClose: number | null;
  open: number | null;
  high: number | null;
  low: number | null;
  volume: number | null;
  bid: number | null;
  ask: number | null;
  session: Session;
  asOf: number;
  source: string;
  stale: boolean;
  /** Minutes the source delivers this price late by design. */
  delayed: number;
}

/** One trade or price update from a live stream. */
export interface Tick {
  symbol: string;
  price: number;
  size?: number;
  bid?: number;
  ask?: number;
  time: number;
  source: string;
}
