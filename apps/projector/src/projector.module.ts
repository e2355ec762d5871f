import { type DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController, SERVICE_PROBES, serviceMetricsModule, structuredLoggerModule } from '@ledger/platform';
import { getDataSourceToken } from '@nestjs/typeorm';
import { type DataSource } from 'typeorm';
import { LedgerInfrastructureModule, READ_MODEL_SCHEMA } from '@ledger/storage';
import { AssignmentEventsConsumer } from './assignment-events.consumer';
import { type ProjectorConfig } from './config';
import { PROJECTOR_CONFIG } from './projector-config.token';
import { ProjectorMetrics } from './projector-metrics';
import { StickyValuesWriter } from '@ledger/ledger';

@Module({})
export class ProjectorModule {
  static forRoot(config: ProjectorConfig): DynamicModule {
    return {
      module: ProjectorModule,
      imports: [
        structuredLoggerModule('projector', config.logLevel, config.logFormat),
        serviceMetricsModule('projector', config.metricsEnabled),
        LedgerInfrastructureModule.forRoot(config, 'assignment-ledger-projector'),
        TerminusModule.forRoot({ logger: false }),
      ],
      controllers: [HealthController],
      providers: [
        { provide: PROJECTOR_CONFIG, useValue: config },
        {
          provide: StickyValuesWriter,
          inject: [getDataSourceToken()],
          useFactory: (dataSource: DataSource) => new StickyValuesWriter(dataSource, READ_MODEL_SCHEMA, 'live'),
        },
        ProjectorMetrics,
        AssignmentEventsConsumer,
        { provide: SERVICE_PROBES, inject: [AssignmentEventsConsumer], useFactory: (consumer: AssignmentEventsConsumer) => [consumer.projectionProbe] },
      ],
    };
  }
}
