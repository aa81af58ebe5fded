/** The kinds of data the cache keeps, each with its own lifetime. */
export type DataKind = 'quote' | 'profile' | 'history' | 'search';

export const DATA_KINDS: readonly DataKind[] = [
  'quote',
  'profile',
  'history',
  'search',
];

/**
 * Bumped whenever the shape of a cached value changes, so that replicas of a
 * new release never read entries written by an old one.
 */
const KEY_VERSION = 'v1';
const PREFIX = `mda:${KEY_VERSION}`;

export type KeyParameters = Readonly<
  Record<string, string | number | boolean | null | undefined>
>;

/**
 * Builds the cache key of one lookup from the canonical subject (a parsed
 * symbol, or a normalized search text) and its parameters. Parameters are
 * sorted by name and those without a value left out, so their order in the
 * request does not matter.
 */
export function cacheKey(
  kind: DataKind,
  subject: string,
  parameters: KeyParameters = {},
): string {
  const query = Object.entries(parameters)
    .filter((entry): entry is [string, string | number | boolean] => {
      const value = entry[1];
      return value !== undefined && value !== null;
    })
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}=${encodeURIComponent(String(value))}`)
    .join('&');

  return `${PREFIX}:${kind}:${encodeURIComponent(subject)}${query ? `?${query}` : ''}`;
}

/** The key of the lock that lets one instance load the entry under `key`. */
export function lockKey(key: string): string {
  return `${PREFIX}:lock:${key.slice(PREFIX.length + 1)}`;
}
