import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AppConfig } from '../config/app-config.js';
import { addSecurityHeaders } from './security-headers.js';

/** The Fastify server options that adapterSecurityOptions sets. */
export interface AdapterSecurityOptions {
  trustProxy: string[] | false;
  bodyLimit: number;
  http: { maxHeaderSize: number };
}

/** Response headers a browser client may read across origins. */
const EXPOSED_HEADERS = [
  'X-RateLimit-Limit',
  'X-RateLimit-Remaining',
  'X-RateLimit-Reset',
  'Retry-After',
  'X-Request-Id',
];

/** Seconds a browser may cache a CORS preflight response. */
const PREFLIGHT_MAX_AGE_S = 600;

/**
 * Fastify options for the client address and request sizes. X-Forwarded-For
 * is believed only from TRUSTED_PROXIES, and Fastify then sets request.ip to
 * the first address that a trusted proxy did not add. Bodies and header
 * blocks above the configured sizes get 413 and 431.
 */
export function adapterSecurityOptions(
  config: AppConfig,
): AdapterSecurityOptions {
  const { trustedProxies, bodyLimitBytes, headerLimitBytes } = config.security;

  return {
    trustProxy: trustedProxies ?? false,
    bodyLimit: bodyLimitBytes,
    http: { maxHeaderSize: headerLimitBytes },
  };
}

/**
 * Adds helmet's security headers and, when CORS_ORIGINS is set, CORS with
 * the configured methods and headers. Swagger UI loads its scripts from the
 * API's own origin, so helmet's default content security policy serves its
 * pages under /docs unchanged.
 */
export function registerHttpSecurity(
  app: NestFastifyApplication,
  config: AppConfig,
): void {
  addSecurityHeaders(
    app.getHttpAdapter().getInstance(),
    config.swaggerEnabled ? '/docs' : null,
  );
  const { origins, methods, headers } = config.security.cors;
  if (origins === null) return;
  app.enableCors({
    origin: origins.includes('*') ? '*' : origins,
    methods,
    allowedHeaders: headers,
    exposedHeaders: EXPOSED_HEADERS,
    maxAge: PREFLIGHT_MAX_AGE_S,
  });
}
