import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { PrometheusController } from '@willsoto/nestjs-prometheus';
import type { FastifyReply } from 'fastify';
import { ApiMetrics } from './metrics.js';

/**
 * Serves `/metrics` in Prometheus's text format from this application's own
 * registry; the library's controller would serve prom-client's global one.
 * The path lies outside `/api`, so it needs no token and is never rate
 * limited.
 */
@ApiExcludeController()
@Controller()
export class MetricsController extends PrometheusController {
  constructor(private readonly metrics: ApiMetrics) {
    super();
  }

  @Get()
  override async index(@Res({ passthrough: true }) response: FastifyReply) {
    void response.header('content-type', this.metrics.registry.contentType);

    return this.metrics.registry.metrics();
  }
}
