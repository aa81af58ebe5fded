import { InvalidParameterError } from '../common/api.errors.js';
import type { AssetClass } from './asset-class.js';
import {
  isCryptoCode,
  isCurrencyCode,
  splitConcatenatedPair,
} from './currencies.js';

/** A parsed symbol in canonical form, with the asset class it was read as. */
export interface Instrument {
  symbol: string;
  assetClass: AssetClass;
  /** Base and quote currency, for pairs only. */
  base?: string;
  quote?: string;
}

/**
 * Where the symbol came from. The route decides the asset class when the text
 * alone cannot: `/api/stocks/EURUSD` is an equity ticker, `/api/forex/EURUSD`
 * a currency pair.
 */
export type SymbolContext = 'any' | 'equity' | 'crypto' | 'forex';

export interface ParseOptions {
  context?: SymbolContext;
  /** `/` separates pair or share class only in query strings, never in paths. */
  allowSlash?: boolean;
  /** Name of the request parameter, for error messages. */
  parameter?: string;
}

export const MAX_SYMBOL_LENGTH = 32;
const ALLOWED = /^[A-Z0-9.\-^=/]+$/;
const SHARE_CLASS = /^[A-Z]{1,2}$/;
const DEFAULT_CRYPTO_QUOTE = 'USD';

/**
 * Parses user or file text into a canonical symbol: upper case, a dot before
 * a share class (`BRK.B`), a caret for indices (`^GSPC`) and `BASE-QUOTE` for
 * pairs (`BTC-USD`, `EUR-USD`). Throws InvalidParameterError naming the
 * parameter and what is allowed.
 */
export function parseSymbol(
  raw: string,
  options: ParseOptions = {},
): Instrument {
  const context = options.context ?? 'any';
  const parameter = options.parameter ?? 'symbol';
  const text = raw.trim().toUpperCase();
  const fail = (detail: string): never => {
    throw new InvalidParameterError(parameter, detail, raw);
  };

  if (text.length === 0) fail(`${parameter} must not be empty.`);
  if (text.length > MAX_SYMBOL_LENGTH) {
    fail(`${parameter} is longer than ${MAX_SYMBOL_LENGTH} characters.`);
  }
  if (!ALLOWED.test(text) || (!options.allowSlash && text.includes('/'))) {
    const slash = options.allowSlash ? ', "/"' : '';
    fail(
      `${parameter} "${raw}" contains characters that are not allowed; ` +
        `use letters, digits, ".", "-", "^" and "="${slash}, e.g. AAPL, BRK.B, ^GSPC or BTC-USD.`,
    );
  }
  if (text.startsWith('^')) return parseIndex(text, context, fail);

  const pair = readPair(text, context);
  if (pair) return pairInContext(pair, context, raw, fail);

  switch (context) {
    case 'crypto':
      return fail(
        `${parameter} "${raw}" is not a crypto pair; use BASE-QUOTE such as BTC-USD, or a crypto code such as BTC.`,
      );
    case 'forex':
      return fail(
        `${parameter} "${raw}" is not a currency pair; use BASE-QUOTE or six letters, e.g. EUR-USD or EURUSD.`,
      );
    case 'any':
    case 'equity':
      return parseEquity(text, fail);
  }
}

function parseIndex(
  text: string,
  context: SymbolContext,
  fail: (detail: string) => never,
): Instrument {
  if (context === 'crypto' || context === 'forex') {
    fail(`${text} is an index; request it under /api/stocks/${text}.`);
  }
  if (!/^\^[A-Z0-9][A-Z0-9.]*$/.test(text)) {
    fail(
      `Index symbol "${text}" must be a caret followed by letters or digits, e.g. ^GSPC.`,
    );
  }

  return { symbol: text, assetClass: 'index' };
}

function readPair(
  text: string,
  context: SymbolContext,
): [string, string] | null {
  const separated = /^([A-Z0-9]{2,10})[-/]([A-Z]{3,5})$/.exec(text);
  if (separated?.[1] && separated[2]) {
    const [, base, quote] = separated;
    if (isCurrencyCode(base) && isCurrencyCode(quote)) return [base, quote];
    // Exchanges list far more coins than any fixed table, so on crypto routes
    // any base against a known quote currency is a pair (NU-GBP, 1INCH-USD).
    return context === 'crypto' && isCurrencyCode(quote) ? [base, quote] : null;
  }
  if (!/^[A-Z]+$/.test(text)) return null;
  if (context === 'crypto' && isCryptoCode(text)) {
    return [text, DEFAULT_CRYPTO_QUOTE];
  }
  if (context === 'equity' || text.length < 6) return null;

  return splitConcatenatedPair(text);
}

function pairInContext(
  [base, quote]: [string, string],
  context: SymbolContext,
  raw: string,
  fail: (detail: string) => never,
): Instrument {
  const symbol = `${base}-${quote}`;
  // A base that is no currency code at all can only be a coin.
  const assetClass: AssetClass =
    isCryptoCode(base) || isCryptoCode(quote) || !isCurrencyCode(base)
      ? 'crypto'
      : 'forex';

  if (context === 'equity') {
    const route = assetClass === 'crypto' ? 'crypto' : 'forex';
    fail(
      `"${raw}" is a ${assetClass} pair; request it under /api/${route}/${symbol}.`,
    );
  }
  if (context === 'crypto' && assetClass === 'forex') {
    fail(`"${raw}" is a currency pair; request it under /api/forex/${symbol}.`);
  }
  if (context === 'forex' && assetClass === 'crypto') {
    fail(`"${raw}" is a crypto pair; request it under /api/crypto/${symbol}.`);
  }

  return { symbol, assetClass, base, quote };
}

function parseEquity(
  text: string,
  fail: (detail: string) => never,
): Instrument {
  const match = /^([A-Z0-9][A-Z0-9=]*)(?:[.\-/]([A-Z0-9]+))?$/.exec(text);
  if (!match) {
    return fail(
      `Symbol "${text}" is not a valid ticker; use a root with an optional share class or exchange suffix, e.g. AAPL, BRK.B or 4063.T.`,
    );
  }
  const root = match[1] ?? text;
  const suffix = match[2];
  if (suffix === undefined) return { symbol: root, assetClass: 'equity' };

  // A one- or two-letter suffix is a share class or exchange code, written
  // with a dot whatever separator the caller used (BRK-B and BRK/B are BRK.B).
  const separator = SHARE_CLASS.test(suffix) ? '.' : text.charAt(root.length);

  return { symbol: `${root}${separator}${suffix}`, assetClass: 'equity' };
}
