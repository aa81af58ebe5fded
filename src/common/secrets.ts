/**
 * Replaces every occurrence of a secret in a text with `***`: as written,
 * percent-encoded, and form-encoded (space as `+`), since a key that sits in
 * a URL reaches logs and echoed error messages in its encoded form.
 */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let scrubbed = text;
  for (const secret of secrets) {
    if (secret.length === 0) continue;
    const forms = new Set([
      secret,
      encodeURIComponent(secret),
      new URLSearchParams({ s: secret }).toString().slice(2),
    ]);
    for (const form of forms) scrubbed = scrubbed.split(form).join('***');
  }

  return scrubbed;
}

/** Hides the user name and password of a URL, e.g. a base URL behind a proxy. */
export function redactUrlCredentials(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1***@');
}
