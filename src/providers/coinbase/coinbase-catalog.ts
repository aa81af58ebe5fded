import type { SymbolMatch } from '../../market/profile.js';
import type { Instrument } from '../../market/symbol.js';
import type { UpstreamContext } from '../upstream/upstream-source.js';
import type { CoinbaseHttp } from './coinbase-http.js';
import {
  productListSchema,
  productSchema,
  type Product,
} from './coinbase-schemas.js';
import { fromProductId } from './coinbase-symbols.js';

/** How long the product list is reused before it is fetched again. */
export const CATALOG_TTL_MS = 5 * 60_000;
/** Most products kept; Coinbase lists several hundred. */
export const MAX_CATALOG_PRODUCTS = 5000;

/** A listed product with the canonical pair it maps to. */
export interface CatalogEntry {
  instrument: Instrument;
  product: Product;
}

/**
 * The product list of `GET /products`, kept in memory for five minutes so
 * that searches do not each download it. Concurrent searches share one
 * download. Delisted products and pairs the `/api/crypto` routes would
 * reject are left out, since no route of this API could serve them.
 */
export class ProductCatalog {
  private cached: { entries: CatalogEntry[]; expiresAt: number } | null = null;
  private pending: Promise<CatalogEntry[]> | null = null;

  constructor(
    private readonly http: CoinbaseHttp,
    private readonly context: UpstreamContext,
  ) {}

  /** Returns the listed products; `text` is the search text named in logs and errors. */
  async entries(text: string): Promise<CatalogEntry[]> {
    const cached = this.cached;
    if (cached && cached.expiresAt > this.context.clock.now()) {
      return cached.entries;
    }
    this.pending ??= this.load(text).finally(() => {
      this.pending = null;
    });

    return this.pending;
  }

  private async load(text: string): Promise<CatalogEntry[]> {
    const rows = await this.http.get('/products', {}, text, productListSchema);
    const read = readProducts(rows);
    if (read.invalid > 0 || rows.length > MAX_CATALOG_PRODUCTS) {
      this.context.logger.warn(
        `coinbase ${text}: left ${read.invalid} products of an unexpected shape and ${Math.max(0, rows.length - MAX_CATALOG_PRODUCTS)} beyond the first ${MAX_CATALOG_PRODUCTS} out of the product list`,
      );
    }
    if (read.unmapped > 0) {
      this.context.logger.debug(
        `coinbase ${text}: ${read.unmapped} products are delisted or not pairs the crypto routes accept, and are not searched`,
      );
    }
    this.cached = {
      entries: read.entries,
      expiresAt: this.context.clock.now() + CATALOG_TTL_MS,
    };

    return read.entries;
  }
}

function readProducts(rows: readonly unknown[]): {
  entries: CatalogEntry[];
  invalid: number;
  unmapped: number;
} {
  const entries: CatalogEntry[] = [];
  let invalid = 0;
  let unmapped = 0;
  for (const row of rows.slice(0, MAX_CATALOG_PRODUCTS)) {
    const parsed = productSchema.safeParse(row);
    if (!parsed.success) {
      invalid += 1;
      continue;
    }
    const product = parsed.data;
    const instrument = fromProductId(product.id);
    if (!instrument || product.status === 'delisted') unmapped += 1;
    else entries.push({ instrument, product });
  }

  return { entries, invalid, unmapped };
}

/**
 * Returns the products that match a search text, best first. The pair
 * itself (`BTC-USD`, `btc/usd`, `BTCUSD`) comes first. Then come pairs of
 * that base code, pairs that start with the text, pairs of that quote
 * code, pairs that contain it, and pairs whose display name contains it.
 * Ties go by symbol.
 */
export function matchProducts(
  entries: readonly CatalogEntry[],
  text: string,
  limit: number,
): SymbolMatch[] {
  const upper = text.trim().toUpperCase();
  const compact = upper.replace(/[^A-Z0-9]/g, '');
  if (compact.length === 0) return [];
  const ranked = entries.flatMap((entry) => {
    const rank = matchRank(entry, upper, compact);
    return rank === null ? [] : [{ entry, rank }];
  });
  ranked.sort(
    (a, b) =>
      a.rank - b.rank ||
      a.entry.instrument.symbol.localeCompare(b.entry.instrument.symbol),
  );

  return ranked.slice(0, limit).map(({ entry }) => toMatch(entry));
}

function matchRank(
  { instrument, product }: CatalogEntry,
  upper: string,
  compact: string,
): number | null {
  const base = instrument.base ?? '';
  const quote = instrument.quote ?? '';
  const pair = base + quote;
  if (pair === compact) return 0;
  if (base === compact) return 1;
  if (pair.startsWith(compact)) return 2;
  if (quote === compact) return 3;
  if (pair.includes(compact)) return 4;
  if ((product.display_name ?? '').toUpperCase().includes(upper)) return 5;

  return null;
}

function toMatch({ instrument, product }: CatalogEntry): SymbolMatch {
  return {
    symbol: instrument.symbol,
    name: product.display_name || product.id,
    assetClass: 'crypto',
    // No MIC is given, as in quotes; `source` names the venue.
    exchange: null,
    currency: instrument.quote ?? product.quote_currency.toUpperCase(),
    source: 'coinbase',
  };
}
