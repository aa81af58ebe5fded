import { Injectable } from '@nestjs/common';
import {
  collectDefaultMetrics,
  Counter,
  Histogram,
  Registry,
} from 'prom-client';
import type { UpstreamCallObserver } from '../providers/upstream/upstream-http.client.js';
import { RequestMetrics } from './request-metrics.js';
import { scrapedMetrics, type ScrapeReaders } from './scraped-metrics.js';

/** Bucket bounds in seconds, from a cached response (about a millisecond) to REQUEST_DEADLINE. */
const REQUEST_BUCKETS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15,
];
/** Bucket bounds in seconds, from a nearby upstream (25 ms) to UPSTREAM_TIMEOUT's range. */
const UPSTREAM_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * The Prometheus registry of one application instance and every metric in
 * it. Each instance has its own registry rather than prom-client's global
 * one, so that building the app twice in one process (as tests do) never
 * registers a metric name twice.
 */
@Injectable()
export class ApiMetrics implements UpstreamCallObserver {
  readonly registry = new Registry();
  /** Request count and duration per method, route template and status. */
  readonly requests = new RequestMetrics(this.registry, REQUEST_BUCKETS);
  readonly sourceErrors = new Counter({
    name: 'data_source_errors_total',
    help: 'Failed attempts to get data from a source, by source and error code.',
    labelNames: ['source', 'class'] as const,
    registers: [this.registry],
  });
  readonly upstreamCalls = new Counter({
    name: 'upstream_requests_total',
    help: 'HTTP calls to upstream sources, retries included, by source and outcome (ok or the error code).',
    labelNames: ['source', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly upstreamDuration = new Histogram({
    name: 'upstream_request_duration_seconds',
    help: 'Time of one HTTP call to an upstream source, body included, by source.',
    labelNames: ['source'] as const,
    buckets: UPSTREAM_BUCKETS,
    registers: [this.registry],
  });
  readonly upstreamRetries = new Counter({
    name: 'upstream_retries_total',
    help: 'Retries of upstream calls after a 5xx, a network failure or a 429, by source.',
    labelNames: ['source'] as const,
    registers: [this.registry],
  });
  readonly streamQuotes = new Counter({
    name: 'stream_quotes_total',
    help: 'Live quotes received on the quote bus of this instance, to be sent to its subscribers.',
    registers: [this.registry],
  });
  /** Metrics whose values are read from other modules at each scrape. */
  readonly scraped: ReturnType<typeof scrapedMetrics>;
  private readers: ScrapeReaders | null = null;

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    // A gauge whose name ends in _total breaks Prometheus's naming rules
    // (promtool rejects it). The per-type gauge nodejs_active_resources
    // stays, and its sum is this total. The _total handle and request
    // gauges stay too, because dashboards made for prom-client read them.
    this.registry.removeSingleMetric('nodejs_active_resources_total');
    this.scraped = scrapedMetrics(this.registry, () => this.readers);
  }

  /** Connects the metrics whose values other modules keep. */
  setReaders(readers: ScrapeReaders): void {
    this.readers = readers;
  }

  recordUpstreamCall(source: string, outcome: string, seconds: number): void {
    this.upstreamCalls.inc({ source, outcome });
    this.upstreamDuration.observe({ source }, seconds);
  }

  recordUpstreamRetry(source: string): void {
    this.upstreamRetries.inc({ source });
  }
}
