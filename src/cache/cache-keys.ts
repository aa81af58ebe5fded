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
  let query = '';
  for (const name of Object.keys(parameters).sort()) {
    const value = parameters[name];
    if (value === undefined || value === null) continue;
    query += `${query ? '&' : '?'}${name}=${encodeURIComponent(String(value))}`;
  }

  return `${KEY_VERSION}:${kind}:${encodeURIComponent(subject)}${query}`;
}
