import { hash } from 'node:crypto';
import type { FastifyReply } from 'fastify';

interface Serialized {
  body: string;
  etag: string;
}

// Cached values are never changed once stored, so a value's JSON body and
// ETag can be kept for as long as the value itself lives.
const serialized = new WeakMap<object, Serialized>();

/** Hashes a response body into the value behind every ETag the API sends. */
export function contentHash(payload: string | Buffer): string {
  return hash('sha1', payload, 'base64');
}

/**
 * Returns the JSON body of `value` in the shape `toJson` gives it, with its
 * content type and strong ETag set on `reply`. Body and ETag are computed
 * once per value object, so a value the memory tier hands out again and
 * again is serialized and hashed only the first time.
 */
export function jsonBody<T extends object>(
  reply: FastifyReply,
  value: T,
  toJson: (value: T) => unknown,
): string {
  let entry = serialized.get(value);
  if (!entry) {
    const body = JSON.stringify(toJson(value));
    entry = { body, etag: `"${contentHash(body)}"` };
    serialized.set(value, entry);
  }
  void reply
    .header('content-type', 'application/json; charset=utf-8')
    .header('etag', entry.etag);

  return entry.body;
}
