/**
 * Market identifier codes (ISO 10383) of the exchange codes Yahoo puts in
 * `exchange`. Codes not listed here, such as CCC for its crypto composite
 * and CCY for currencies, name no exchange and give null.
 */
const EXCHANGE_MICS: Readonly<Record<string, string>> = {
  NMS: 'XNAS',
  NGM: 'XNAS',
  NCM: 'XNAS',
  NYQ: 'XNYS',
  ASE: 'XASE',
  PCX: 'ARCX',
  BTS: 'BATS',
  LSE: 'XLON',
  GER: 'XETR',
  JPX: 'XTKS',
};

/** Returns the MIC of a Yahoo exchange code, or null when it has none here. */
export function exchangeMic(code: string | null | undefined): string | null {
  return code ? (EXCHANGE_MICS[code] ?? null) : null;
}

/**
 * Currencies Yahoo quotes in minor units, with the ISO code and the number
 * of minor units in one major unit: London prices come in pence (`GBp`).
 */
const MINOR_UNITS: Readonly<Record<string, { currency: string; per: number }>> =
  {
    GBp: { currency: 'GBP', per: 100 },
    GBX: { currency: 'GBP', per: 100 },
    ZAc: { currency: 'ZAR', per: 100 },
    ILA: { currency: 'ILS', per: 100 },
  };

/** A currency code and the factor that turns Yahoo's prices into it. */
export interface PriceUnit {
  currency: string;
  /** Multiplies a Yahoo price into the major unit; 1 unless quoted in minor units. */
  scale: (price: number) => number;
}

/** Significant digits kept when dividing minor units, well above any price's own. */
const SCALED_DIGITS = 12;

/**
 * Returns the ISO currency and price scaling for a currency code as Yahoo
 * writes it, or `fallback` when Yahoo gives none.
 */
export function priceUnit(
  code: string | null | undefined,
  fallback: string,
): PriceUnit {
  const minor = code ? MINOR_UNITS[code] : undefined;
  if (!minor) {
    return {
      currency: code?.toUpperCase() ?? fallback,
      scale: (price) => price,
    };
  }

  return {
    currency: minor.currency,
    scale: (price) => Number((price / minor.per).toPrecision(SCALED_DIGITS)),
  };
}

/** Significant digits that always tell two 32-bit floats apart. */
const FLOAT32_DIGITS = 9;

/**
 * Returns the shortest decimal that has the same 32-bit float value as
 * `value` when `value` is exactly such a float. Yahoo's chart series are
 * 32-bit floats widened to doubles (129.04 arrives as 129.0399932861328);
 * other numbers are returned unchanged.
 */
export function shortestFloat32(value: number): number {
  const single = Math.fround(value);
  if (single !== value || !Number.isFinite(value)) return value;
  for (let digits = 1; digits <= FLOAT32_DIGITS; digits += 1) {
    const candidate = Number(value.toPrecision(digits));
    if (Math.fround(candidate) === single) return candidate;
  }

  return value;
}
