import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { RequestMetrics } from './request-metrics.js';

async function exposition(record: (metrics: RequestMetrics) => void) {
  const registry = new Registry();
  const metrics = new RequestMetrics(registry, [0.01, 0.1, 1]);
  record(metrics);

  return (await registry.metrics()).split('\n');
}

describe('RequestMetrics', () => {
  it('writes cumulative buckets, sum and count', async () => {
    const lines = await exposition((metrics) => {
      metrics.record('GET', '/api/quotes/:symbol', 200, 0.005);
      metrics.record('GET', '/api/quotes/:symbol', 200, 0.05);
      metrics.record('GET', '/api/quotes/:symbol', 404, 0.1);
      metrics.record('GET', '/api/quotes/:symbol', 200, 3);
    });
    const labels = 'method="GET",route="/api/quotes/:symbol"';
    const name = 'api_request_duration_seconds';
    expect(lines).toContain(`${name}_bucket{${labels},le="0.01"} 1`);
    expect(lines).toContain(`${name}_bucket{${labels},le="0.1"} 3`);
    expect(lines).toContain(`${name}_bucket{${labels},le="1"} 3`);
    expect(lines).toContain(`${name}_bucket{${labels},le="+Inf"} 4`);
    expect(lines).toContain(`${name}_sum{${labels}} 3.155`);
    expect(lines).toContain(`${name}_count{${labels}} 4`);
    expect(lines).toContain('# TYPE api_request_duration_seconds histogram');
  });

  it('counts responses per status', async () => {
    const lines = await exposition((metrics) => {
      metrics.record('GET', '/health/live', 200, 0.001);
      metrics.record('GET', '/health/live', 200, 0.001);
      metrics.record('POST', '/auth/token', 429, 0.001);
    });
    expect(lines).toContain(
      'api_requests_total{method="GET",route="/health/live",status="200"} 2',
    );
    expect(lines).toContain(
      'api_requests_total{method="POST",route="/auth/token",status="429"} 1',
    );
    expect(lines).toContain(
      'rate_limit_rejections_total{route="/auth/token"} 1',
    );
  });

  it('counts every response in total', async () => {
    const registry = new Registry();
    const metrics = new RequestMetrics(registry, [1]);
    metrics.record('GET', 'unmatched', 404, 0.001);
    metrics.record('GET', 'unmatched', 404, 0.001);
    expect(metrics.total).toBe(2);
  });
});
