import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * Runs helmet's middleware once against a response that records what it
 * sets, and returns the headers. With no per-request options (CSP nonces are
 * off) helmet sets the same headers on every response.
 */
export function helmetHeaders(
  options: Readonly<HelmetOptions> = {},
): Record<string, string> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value)
        ? value.join(', ')
        : String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  helmet(options)(
    {} as IncomingMessage,
    recorder as unknown as ServerResponse,
    () => undefined,
  );

  return headers;
}

/**
 * Helmet's settings for JSON responses: a policy that loads nothing and
 * forbids framing, and none of the headers that only protect HTML documents
 * or old browsers (DNS prefetch, IE downloads, Flash policies, origin-keyed
 * agent clusters, the XSS auditor, opener isolation).
 */
export const API_HEADERS: Readonly<HelmetOptions> = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
  },
  xFrameOptions: { action: 'deny' },
  crossOriginOpenerPolicy: false,
  originAgentCluster: false,
  xDnsPrefetchControl: false,
  xDownloadOptions: false,
  xPermittedCrossDomainPolicies: false,
  xXssProtection: false,
};

let apiHeaders: Record<string, string> | undefined;

/** Returns the headers of API_HEADERS, computed on the first call. */
export function apiSecurityHeaders(): Readonly<Record<string, string>> {
  apiHeaders ??= helmetHeaders(API_HEADERS);

  return apiHeaders;
}

/**
 * Sets helmet's security headers on every response: its defaults on pages
 * under `documentPrefix` (Swagger UI), and API_HEADERS elsewhere. They are
 * computed once at start-up, because @fastify/helmet builds helmet's
 * middleware again for each request, which cost about 40 µs of CPU per
 * request on Node 20. They are set when the response is sent, because CORS
 * preflights skip the request hooks. Errors Fastify raises before routing
 * skip every hook, so sendFrameworkError sets the API headers itself.
 */
export function addSecurityHeaders(
  fastify: FastifyInstance,
  documentPrefix: string | null,
): void {
  const api = apiSecurityHeaders();
  const documents = helmetHeaders();
  fastify.addHook('onSend', (request, reply, payload, done) => {
    const page =
      documentPrefix !== null && isUnderPath(request.url, documentPrefix);
    void reply.headers(page ? documents : api);
    done(null, payload);
  });
}

/** Returns true when `url` is `prefix` itself or a path below it, so `/docs-json` is not under `/docs`. */
function isUnderPath(url: string, prefix: string): boolean {
  if (!url.startsWith(prefix)) return false;
  const next = url.charAt(prefix.length);

  return next === '' || next === '/' || next === '?';
}
