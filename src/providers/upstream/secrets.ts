/**
 * Replaces every occurrence of a secret in a text with `***`, so keys that a
 * source echoes back or that sit in a URL never reach a log or error body.
 */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let scrubbed = text;
  for (const secret of secrets) {
    if (secret.length > 0) scrubbed = scrubbed.split(secret).join('***');
  }

  return scrubbed;
}
