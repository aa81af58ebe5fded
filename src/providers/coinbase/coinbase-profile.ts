import type { Profile } from '../../market/profile.js';
import type { Instrument } from '../../market/symbol.js';
import type { Product } from './coinbase-schemas.js';

/** Maximum length of Coinbase's status message quoted in a description. */
const MAX_STATUS_MESSAGE_LENGTH = 200;

/**
 * Builds a profile from a product. Coinbase gives the pair's codes, a
 * display name and the product's trading state, which the description
 * states. It gives no company data, so those fields stay null.
 */
export function buildProfile(
  instrument: Instrument,
  product: Product,
  now: number,
): Profile {
  const base = product.base_currency.toUpperCase();
  const quote = product.quote_currency.toUpperCase();

  return {
    symbol: instrument.symbol,
    assetClass: 'crypto',
    name: product.display_name || product.id,
    // No MIC is given, as in quotes; `source` names the venue.
    exchange: null,
    currency: quote,
    country: null,
    sector: null,
    industry: null,
    description: describeProduct(product),
    website: null,
    base,
    quote,
    timeZone: 'UTC',
    coverage: null,
    source: 'coinbase',
    asOf: now,
    stale: false,
  };
}

/**
 * Describes the product's trading state, e.g. `BTC-USD on Coinbase
 * Exchange, status online. Trading is disabled.` Coinbase sets at most one
 * of trading_disabled, cancel_only, post_only and limit_only.
 */
export function describeProduct(product: Product): string {
  const parts = [
    `${product.id} on Coinbase Exchange, status ${product.status || 'unknown'}.`,
  ];
  if (product.trading_disabled) parts.push('Trading is disabled.');
  if (product.cancel_only) parts.push('Orders can only be cancelled.');
  if (product.post_only) parts.push('Only maker orders are accepted.');
  if (product.limit_only) parts.push('Only limit orders are accepted.');
  if (product.status_message) {
    parts.push(product.status_message.slice(0, MAX_STATUS_MESSAGE_LENGTH));
  }

  return parts.join(' ');
}
