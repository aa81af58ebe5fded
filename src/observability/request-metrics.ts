import {
  Counter,
  Histogram,
  type MetricObjectWithValues,
  type MetricValueWithName,
  type Registry,
} from 'prom-client';

/** Counts of one method, route template and status. */
interface StatusCount {
  status: number;
  count: number;
}

/** Durations of one method and route template, in seconds. */
interface Durations {
  method: string;
  route: string;
  /** Observations per bucket, not cumulative; the last slot counts those above every bound. */
  buckets: number[];
  sum: number;
  count: number;
  statuses: Map<number, StatusCount>;
}

type RequestLabel = 'method' | 'route' | 'status';

const DURATION_HELP =
  'Time from receiving an HTTP request to sending its response, by method and route template.';

/**
 * The request counter and duration histogram, kept in plain numbers and
 * handed to prom-client only when Prometheus scrapes. prom-client hashes the
 * labels on every `inc` and `observe`, child objects included. With it the
 * onResponse hook took about 3 µs a response, and with this store about
 * 0.2 µs. Both figures come from a loop calling the hook two million times
 * on Node 20.20 with two shared AMD EPYC cores, so they are rough estimates.
 */
export class RequestMetrics {
  private readonly routes = new Map<string, Map<string, Durations>>();
  private responses = 0;

  constructor(
    registry: Registry,
    private readonly bounds: readonly number[],
  ) {
    const allSeries = () => this.series();
    const requests = new Counter<RequestLabel>({
      name: 'api_requests_total',
      help: 'HTTP responses sent, by method, route template and status code.',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
      collect() {
        this.reset();
        for (const series of allSeries())
          for (const { status, count } of series.statuses.values())
            this.inc(
              { method: series.method, route: series.route, status },
              count,
            );
      },
    });
    const rateLimited = new Counter<'route'>({
      name: 'rate_limit_rejections_total',
      help: 'HTTP requests rejected with 429 by the rate limits, by route template.',
      labelNames: ['route'],
      registers: [registry],
      collect() {
        this.reset();
        for (const series of allSeries()) {
          const rejected = series.statuses.get(429)?.count ?? 0;
          if (rejected > 0) this.inc({ route: series.route }, rejected);
        }
      },
    });
    this.metrics = { requests, rateLimited };
    registry.registerMetric(new RequestDurationHistogram(this, bounds));
  }

  /** The prom-client metrics fed from this store. */
  readonly metrics: {
    requests: Counter<RequestLabel>;
    rateLimited: Counter<'route'>;
  };

  /** Responses recorded since start. */
  get total(): number {
    return this.responses;
  }

  /** Records one response; `seconds` is the time from request to response. */
  record(method: string, route: string, status: number, seconds: number): void {
    this.responses += 1;
    const series = this.seriesOf(method, route);
    let counted = series.statuses.get(status);
    if (counted === undefined) {
      counted = { status, count: 0 };
      series.statuses.set(status, counted);
    }
    counted.count += 1;

    series.count += 1;
    series.sum += seconds;
    let bucket = 0;
    while (bucket < this.bounds.length && seconds > (this.bounds[bucket] ?? 0))
      bucket += 1;
    series.buckets[bucket] = (series.buckets[bucket] ?? 0) + 1;
  }

  private seriesOf(method: string, route: string): Durations {
    let byMethod = this.routes.get(route);
    if (byMethod === undefined) {
      byMethod = new Map();
      this.routes.set(route, byMethod);
    }
    let series = byMethod.get(method);
    if (series === undefined) {
      series = {
        method,
        route,
        buckets: Array.from({ length: this.bounds.length + 1 }, () => 0),
        sum: 0,
        count: 0,
        statuses: new Map(),
      };
      byMethod.set(method, series);
    }

    return series;
  }

  /** Yields the durations of every method and route seen. */
  *series(): Generator<Durations> {
    for (const byMethod of this.routes.values()) yield* byMethod.values();
  }
}

/**
 * `api_request_duration_seconds`, read from a RequestMetrics store. It
 * extends prom-client's Histogram for its name, help and type, and replaces
 * `get` and `getForPromString` (prom-client 15), which the registry calls on
 * every scrape.
 */
class RequestDurationHistogram extends Histogram<'method' | 'route'> {
  constructor(
    private readonly store: RequestMetrics,
    private readonly upper: readonly number[],
  ) {
    super({
      name: 'api_request_duration_seconds',
      help: DURATION_HELP,
      labelNames: ['method', 'route'],
      buckets: [...upper],
      registers: [],
    });
  }

  override get(): Promise<
    MetricObjectWithValues<MetricValueWithName<'method' | 'route' | 'le'>>
  > {
    return this.getForPromString();
  }

  /** The registry calls this, where present, in place of `get` for the text format. */
  getForPromString(): Promise<
    MetricObjectWithValues<MetricValueWithName<'method' | 'route' | 'le'>>
  > {
    const values: MetricValueWithName<'method' | 'route' | 'le'>[] = [];
    const name = 'api_request_duration_seconds';
    for (const series of this.store.series()) {
      const labels = { method: series.method, route: series.route };
      let cumulative = 0;
      this.upper.forEach((bound, index) => {
        cumulative += series.buckets[index] ?? 0;
        values.push({
          metricName: `${name}_bucket`,
          labels: { ...labels, le: bound },
          value: cumulative,
        });
      });
      values.push(
        {
          metricName: `${name}_bucket`,
          labels: { ...labels, le: '+Inf' },
          value: series.count,
        },
        { metricName: `${name}_sum`, labels, value: series.sum },
        { metricName: `${name}_count`, labels, value: series.count },
      );
    }

    // prom-client declares `type` as a numeric enum but writes the
    // string ('histogram') into the text format, as its own metrics do.
    return Promise.resolve({
      name,
      help: DURATION_HELP,
      type: 'histogram',
      values,
      aggregator: 'sum',
      collect: () => undefined,
    } as unknown as MetricObjectWithValues<
      MetricValueWithName<'method' | 'route' | 'le'>
    >);
  }
}
