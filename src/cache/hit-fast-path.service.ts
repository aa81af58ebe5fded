import { Injectable } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { LRUCache } from 'lru-cache';
import { contentHash } from '../common/json-body.js';
import { contextOf } from '../common/request-hooks.js';
import { AppConfig } from '../config/app-config.js';
import type { CacheEntry } from './cache-entry.js';
import type { DataKind } from './cache-keys.js';
import { MarketCache } from './market-cache.service.js';
import {
  recordSentHeaders,
  type SentHeaders,
  sendsSameHeaders,
  writeSent,
} from './sent-headers.js';
import { SharedStore } from './shared-store.service.js';

/** Route option that lets the fast path serve a route; set with `@RouteConfig`. */
export const FAST_HIT_ROUTE = { fastHit: true } as const;

/** Longest URL a kept response is keyed by, in characters. */
const MAX_KEPT_URL_LENGTH = 256;

/** Kept responses when the memory tier is off and its size gives no bound. */
const DEFAULT_MAX_KEPT = 1000;

/**
 * Decides, without an async step, whether a request may be served from a
 * kept response. That needs a token verified before, with the route's scope,
 * and a rate limit that admits the request from this instance's own count.
 * The count is then taken and reported in the response headers. False
 * leaves the request to the full pipeline, which counts it there.
 */
export type FastPathAdmission = (
  request: FastifyRequest,
  reply: FastifyReply,
) => boolean;

/** A response kept for its URL, with the cache entry it was built from. */
interface KeptResponse {
  kind: DataKind;
  key: string;
  entry: CacheEntry<unknown>;
  /** The entry's stored form in Redis, once the fast path has compared it. */
  raw: string | undefined;
  body: string;
  etag: string;
  contentType: string;
  /** The headers the hooks set when the body was last sent as a HIT. */
  sent: SentHeaders | null;
}

/**
 * Sends a cached response again without running the route's handler, its
 * guards and pipes, or serializing the value again.
 *
 * When the full pipeline serves a fast-path route with 200 from exactly
 * one fresh cache entry, the response is kept for the request URL with that
 * entry. A later request for the same URL gets it while the entry is still
 * the one the cache would serve. With the memory tier on, that means the
 * memory tier still contains the same entry object. With it off and Redis
 * on, Redis must contain the same stored form and the entry must be fresh.
 * Redis is read for every request, and requests that come while a read of
 * their key is in flight share it. A new or expired entry ends the kept
 * response, so the fast path only sends a HIT that the full pipeline would
 * have given. Misses, stale values and errors always take the full
 * pipeline, and so does a request that FastPathAdmission does not admit.
 * The first HIT for a kept response goes through the send hooks (ETag,
 * compression, security headers, X-Cache). Later ones with the same
 * request headers those hooks read are written with the headers recorded
 * then, without running the hooks again.
 */
@Injectable()
export class HitFastPath {
  private readonly memoryTier: boolean;
  private readonly responses: LRUCache<string, KeptResponse> | null;

  constructor(
    config: AppConfig,
    private readonly cache: MarketCache,
    private readonly shared: SharedStore,
  ) {
    const { memoryMaxEntries, memoryTtlMs } = config.cache;
    this.memoryTier = memoryMaxEntries > 0 && memoryTtlMs > 0;
    this.responses =
      this.memoryTier || shared.distributed
        ? new LRUCache({ max: memoryMaxEntries || DEFAULT_MAX_KEPT })
        : null;
  }

  /**
   * Adds the hooks: one that serves a kept response as soon as the request
   * is routed, and one that keeps the responses of fast-path routes.
   * Register them after the request hooks, which give the request its id
   * and context, and before any hook that compresses the body. A served
   * request skips the later stages (body parsing, validation, preHandler),
   * which read nothing the kept response depends on.
   */
  register(fastify: FastifyInstance, admit: FastPathAdmission): void {
    const responses = this.responses;
    if (responses === null) return;
    fastify.addHook('onRequest', (request, reply, done) => {
      const kept =
        request.method === 'GET' ? responses.get(request.url) : undefined;
      if (kept === undefined) {
        done();
      } else if (this.memoryTier) {
        const current = this.cache.freshEntry(kept.key) === kept.entry;
        this.finish(kept, current, request, reply, admit, done);
      } else {
        // Failed Redis reads are counted by the shared store and take the
        // pipeline. An error while sending goes to Fastify's error handler
        // instead of becoming an unhandled rejection.
        this.unchangedInRedis(kept)
          .then(
            (current) =>
              this.finish(kept, current, request, reply, admit, done),
            () => this.finish(kept, false, request, reply, admit, done),
          )
          .catch((error: unknown) => {
            done(error instanceof Error ? error : new Error(String(error)));
          });
      }
    });
    fastify.addHook('onSend', (request, reply, payload, done) => {
      this.keep(request, reply, payload);
      done(null, payload);
    });
  }

  /**
   * Sends a kept response whose entry is still current, when the request is
   * admitted. Otherwise leaves the request to the full pipeline, and drops a
   * response whose entry has changed.
   */
  private finish(
    kept: KeptResponse,
    current: boolean,
    request: FastifyRequest,
    reply: FastifyReply,
    admit: FastPathAdmission,
    done: () => void,
  ): void {
    if (!current) this.responses?.delete(request.url);
    if (!current || !this.sendKept(kept, request, reply, admit)) done();
  }

  /**
   * Sends a kept response when the request is admitted. Once a HIT for the
   * same request headers has gone through the hooks, the response is
   * written with the headers they set then, and the hooks are skipped.
   */
  private sendKept(
    kept: KeptResponse,
    request: FastifyRequest,
    reply: FastifyReply,
    admit: FastPathAdmission,
  ): boolean {
    if (!admit(request, reply)) return false;
    const context = contextOf(request);
    context.cache = 'HIT';
    context.fastHit = true;
    this.cache.countFastHit(kept.kind);
    const sent = kept.sent;
    if (sent !== null && sendsSameHeaders(sent, request.headers)) {
      writeSent(reply, sent, kept.body);
      return true;
    }
    // The headers are complete once the response is sent.
    reply.raw.once('finish', () => {
      kept.sent = recordSentHeaders(request, reply) ?? kept.sent;
    });
    void reply
      .header('content-type', kept.contentType)
      .header('etag', kept.etag)
      .send(kept.body);

    return true;
  }

  /**
   * Returns true when Redis still contains the entry a response was built
   * from and the entry is fresh. The first check decodes the stored form and
   * compares times and value. Later ones compare the stored form only.
   */
  private async unchangedInRedis(kept: KeptResponse): Promise<boolean> {
    if (Date.now() >= kept.entry.freshUntil) return false;
    const raw = await this.shared.rawEntry(kept.key);
    // The entry may expire while Redis replies.
    if (raw === undefined || Date.now() >= kept.entry.freshUntil) return false;
    if (kept.raw !== undefined) return raw === kept.raw;
    const stored = await this.shared.decode(raw);
    const same =
      Date.now() < kept.entry.freshUntil &&
      stored !== undefined &&
      stored.freshUntil === kept.entry.freshUntil &&
      stored.staleUntil === kept.entry.staleUntil &&
      JSON.stringify(stored.value) === JSON.stringify(kept.entry.value);
    if (same) kept.raw = raw;

    return same;
  }

  private keep(
    request: FastifyRequest,
    reply: FastifyReply,
    payload: unknown,
  ): void {
    if (
      request.method !== 'GET' ||
      reply.statusCode !== 200 ||
      typeof payload !== 'string' ||
      !isFastHitRoute(request) ||
      !keptUrl(request.url)
    )
      return;
    const context = contextOf(request);
    const lookup = context.lookup;
    if (context.fastHit || context.lookups !== 1 || lookup?.entry == null)
      return;
    if (context.cache === 'STALE' || lookup.entry.value !== lookup.value)
      return;
    if (
      this.memoryTier
        ? this.cache.freshEntry(lookup.key) !== lookup.entry
        : Date.now() >= lookup.entry.freshUntil
    )
      return;
    const current = this.responses?.peek(request.url);
    // The one kept already keeps the headers it recorded.
    if (current?.entry === lookup.entry && current.body === payload) return;
    const etag = reply.getHeader('etag');
    const contentType = reply.getHeader('content-type');
    this.responses?.set(request.url, {
      // The lookup's kind comes from the cache, which names only data kinds.
      kind: lookup.kind as DataKind,
      key: lookup.key,
      entry: lookup.entry,
      raw: undefined,
      body: payload,
      etag: typeof etag === 'string' ? etag : `"${contentHash(payload)}"`,
      contentType:
        typeof contentType === 'string' ? contentType : 'application/json',
      sent: null,
    });
  }
}

/**
 * Returns true for a URL short enough to key a kept response and without a
 * query string. Fast-path routes take no query, so the parameters that
 * Fastify parses away (a run of `&`, say) would only add entries.
 */
function keptUrl(url: string): boolean {
  return url.length <= MAX_KEPT_URL_LENGTH && !url.includes('?');
}

function isFastHitRoute(request: FastifyRequest): boolean {
  const config = request.routeOptions.config as { fastHit?: unknown };

  return config.fastHit === true;
}
