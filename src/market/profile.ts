import type { AssetClass } from './asset-class.js';
import type { Coverage } from './bar.js';

/** What a source can tell about an instrument besides its prices. */
export interface Profile {
  symbol: string;
  assetClass: AssetClass;
  name: string | null;
  exchange: string | null;
  currency: string;
  country: string | null;
  sector: string | null;
  industry: string | null;
  description: string | null;
  website: string | null;
  /** Base and quote currency of a pair. */
  base: string | null;
  quote: string | null;
  timeZone: string;
  coverage: Coverage | null;
  source: string;
  asOf: number;
  stale: boolean;
}

/** One row of a symbol search. */
export interface SymbolMatch {
  symbol: string;
  name: string | null;
  assetClass: AssetClass;
  exchange: string | null;
  currency: string;
  source: string;
}
