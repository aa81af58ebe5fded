import { IANAZone } from 'luxon';

/** Alpha Vantage's time zone names that are aliases of a canonical IANA name. */
const ZONE_ALIASES: Readonly<Record<string, string>> = {
  'US/Eastern': 'America/New_York',
};

/**
 * Returns the canonical IANA name of a time zone as Alpha Vantage writes it
 * (`US/Eastern`, `UTC`), or null when it is not a known zone.
 */
export function canonicalZone(name: string): string | null {
  const trimmed = name.trim();
  const canonical = ZONE_ALIASES[trimmed] ?? trimmed;

  return IANAZone.isValidZone(canonical) ? canonical : null;
}
