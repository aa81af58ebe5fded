/**
 * Crypto asset codes the symbol parser treats as currencies, besides the ISO
 * 4217 codes that the runtime's Intl data lists. Stablecoins come first so
 * that `BTCUSDT` splits as BTC and USDT.
 */
const CRYPTO_CODES = [
  'USDT',
  'USDC',
  'DAI',
  'BUSD',
  'FDUSD',
  'BTC',
  'ETH',
  'SOL',
  'ADA',
  'XRP',
  'DOGE',
  'DOT',
  'LTC',
  'BCH',
  'LINK',
  'AVAX',
  'MATIC',
  'POL',
  'BNB',
  'TRX',
  'XLM',
  'ATOM',
  'UNI',
  'SHIB',
  'ETC',
  'XMR',
  'ALGO',
  'FIL',
  'NEAR',
  'APT',
  'ARB',
  'OP',
  'SUI',
  'TON',
  'PEPE',
] as const;

const FIAT = new Set(Intl.supportedValuesOf('currency'));
const CRYPTO = new Set<string>(CRYPTO_CODES);

export function isCryptoCode(code: string): boolean {
  return CRYPTO.has(code);
}

export function isCurrencyCode(code: string): boolean {
  return FIAT.has(code) || CRYPTO.has(code);
}

/**
 * Splits a run of letters such as `EURUSD` or `BTCUSDT` into two currency
 * codes, trying the longer quote code first. Returns null when no split
 * gives two known codes.
 */
export function splitConcatenatedPair(text: string): [string, string] | null {
  for (let quoteLength = 5; quoteLength >= 3; quoteLength -= 1) {
    const baseLength = text.length - quoteLength;
    if (baseLength < 2) continue;
    const base = text.slice(0, baseLength);
    const quote = text.slice(baseLength);
    if (isCurrencyCode(base) && isCurrencyCode(quote)) return [base, quote];
  }

  return null;
}
