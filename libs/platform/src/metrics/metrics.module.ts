import { type DynamicModule, Global, Module } from '@nestjs/common';
import { MetricsController } from './metrics.controller';
import { ServiceMetrics } from './service-metrics';

@Global()
@Module({})
class ServiceMetricsModule {}

/** The app's ServiceMetrics for every module, and `GET /metrics` when enabled. */
export function serviceMetricsModule(app: string, enabled: boolean): DynamicModule {
  return {
    module: ServiceMetricsModule,
    controllers: enabled ? [MetricsController] : [],
    providers: [{ provide: ServiceMetrics, useValue: new ServiceMetrics(app, enabled) }],
    exports: [ServiceMetrics],
  };
}
