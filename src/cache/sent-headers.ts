import type { IncomingHttpHeaders, OutgoingHttpHeader } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Headers that differ from one request to the next even for one URL and one
 * cache entry. A request sets its own before the response is sent.
 */
const PER_REQUEST = new Set([
  'x-request-id',
  'x-ratelimit-limit',
  'x-ratelimit-remaining',
  'x-ratelimit-reset',
  'retry-after',
]);

/**
 * The headers of a kept response as the hooks left them when it was sent,
 * with the request headers that the hooks read. CORS reads Origin, the
 * compression plugin reads Accept-Encoding and X-No-Compression, and the
 * ETag plugin reads If-None-Match. A request with the same Origin and
 * Accept-Encoding and neither of the other two would get the same headers
 * again, apart from PER_REQUEST ones.
 */
export interface SentHeaders {
  origin: string | undefined;
  acceptEncoding: string | undefined;
  headers: [string, OutgoingHttpHeader | undefined][];
}

/**
 * Records the headers of a response that sent a kept body unchanged: status
 * 200, not compressed, and for a request that sent neither If-None-Match nor
 * X-No-Compression. Returns null for any other response.
 */
export function recordSentHeaders(
  request: FastifyRequest,
  reply: FastifyReply,
): SentHeaders | null {
  if (
    reply.statusCode !== 200 ||
    reply.hasHeader('content-encoding') ||
    request.headers['if-none-match'] !== undefined ||
    // The compression plugin skips this request, whatever its Accept-Encoding.
    request.headers['x-no-compression'] !== undefined
  )
    return null;
  const headers = Object.entries(reply.getHeaders()).filter(
    ([name]) => !PER_REQUEST.has(name),
  );

  return {
    origin: request.headers.origin,
    acceptEncoding: request.headers['accept-encoding'],
    headers,
  };
}

/** Returns true when the hooks would send `sent` headers again for these request headers. */
export function sendsSameHeaders(
  sent: SentHeaders,
  headers: IncomingHttpHeaders,
): boolean {
  return (
    headers['if-none-match'] === undefined &&
    headers.origin === sent.origin &&
    headers['accept-encoding'] === sent.acceptEncoding
  );
}

/**
 * Writes a status 200 response with recorded headers and a body through
 * Node's response object, without the onSend hooks. Headers the request has
 * set already (its id, rate-limit counts, CORS) keep their place and value,
 * and the recorded ones follow in the order the hooks set them. Fastify
 * still runs the onResponse hooks when the response finishes.
 */
export function writeSent(
  reply: FastifyReply,
  sent: SentHeaders,
  body: string,
): void {
  const own = reply.getHeaders();
  // Node takes headers as a flat list of names and values too.
  const headers: OutgoingHttpHeader[] = [];
  for (const name in own) {
    const value = own[name];
    if (value !== undefined) headers.push(name, value);
  }
  for (const [name, value] of sent.headers)
    if (own[name] === undefined && value !== undefined)
      headers.push(name, value);
  reply.hijack();
  reply.raw.writeHead(200, headers);
  reply.raw.end(body);
}
