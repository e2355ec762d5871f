import { Controller, Get, Header } from '@nestjs/common';
import { Registry } from 'prom-client';
import { PublicRoute } from '../http/public-route.decorator';
import { ServiceMetrics } from './service-metrics';

/**
 * `GET /metrics` in Prometheus' text format, without credentials: the series carry counts, durations, route
 * patterns and partitions, never a key, a value or a caller. `METRICS_ENABLED=false` leaves the route out.
 */
@Controller()
@PublicRoute()
export class MetricsController {
  constructor(private readonly metrics: ServiceMetrics) {}

  @Get('metrics')
  @Header('content-type', Registry.PROMETHEUS_CONTENT_TYPE)
  @Header('cache-control', 'no-store')
  scrape(): Promise<string> {
    return this.metrics.scrape();
  }
}
