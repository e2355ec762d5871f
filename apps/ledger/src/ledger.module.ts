import { type DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { type Admin } from 'kafkajs';
import { ApiKeyGuard } from './auth/api-key.guard';
import { ApiKeysHttpController } from './auth/api-keys.http.controller';
import { ApiKeysService } from './auth/api-keys.service';
import { DocsHttpController, HealthController, OpenApiHttpController, serviceMetricsModule, structuredLoggerModule } from '@ledger/platform';
import { LEDGER_METRICS, stickyValuesLedgerProviders } from '@ledger/ledger';
import { KAFKA_ADMIN, LEDGER_TOPICS, LedgerInfrastructureModule, type LedgerTopics } from '@ledger/storage';
import { type LedgerConfig } from './config';
import { EventFeedDocuments } from './event-feed/event-feed.documents';
import { EventFeedHttpController } from './event-feed/event-feed.http.controller';
import { EvaluationGrpcController } from './evaluation/evaluation.grpc.controller';
import { EvaluationHttpController } from './evaluation/evaluation.http.controller';
import { EvaluationService } from './evaluation/evaluation.service';
import { ExperimentsHttpController } from './experiments/experiments.http.controller';
import { ExperimentsRepository } from './experiments/experiments.repository';
import { ExperimentsService } from './experiments/experiments.service';
import { PublishedExperimentsCache } from './experiments/published-experiments.cache';
import { LEDGER_CONFIG } from './ledger-config.token';
import { LedgerMetrics } from './metrics/ledger-metrics';
import { StickyValuesGrpcController } from './sticky-values/sticky-values.grpc.controller';
import { StickyValuesHttpController } from './sticky-values/sticky-values.http.controller';
import { AuditHttpController, ExperimentAssignmentsHttpController, UnitsHttpController } from './audit/audit.http.controller';
import { AuditGrpcController } from './audit/audit.grpc.controller';
import { AuditService } from './audit/audit.service';
import { AuditPageHttpController } from './audit-page/audit-page.http.controller';
import { OfrepHttpController } from './ofrep/ofrep.http.controller';
import { OfrepService } from './ofrep/ofrep.service';

@Module({})
export class LedgerModule {
  static forRoot(config: LedgerConfig): DynamicModule {
    return {
      module: LedgerModule,
      imports: [
        structuredLoggerModule('ledger', config.logLevel, config.logFormat),
        serviceMetricsModule('ledger', config.metricsEnabled),
        LedgerInfrastructureModule.forRoot(config, 'assignment-ledger'),
        TerminusModule.forRoot({ logger: false }),
      ],
      controllers: [
        HealthController,
        StickyValuesHttpController,
        StickyValuesGrpcController,
        ApiKeysHttpController,
        ExperimentsHttpController,
        EvaluationHttpController,
        EvaluationGrpcController,
        EventFeedHttpController,
        OfrepHttpController,
        AuditHttpController,
        AuditGrpcController,
        ExperimentAssignmentsHttpController,
        UnitsHttpController,
        OpenApiHttpController,
        DocsHttpController,
        AuditPageHttpController,
      ],
      providers: [
        { provide: LEDGER_CONFIG, useValue: config },
        LedgerMetrics,
        { provide: LEDGER_METRICS, useExisting: LedgerMetrics },
        ...stickyValuesLedgerProviders(config),
        ApiKeysService,
        ExperimentsRepository,
        PublishedExperimentsCache,
        ExperimentsService,
        EvaluationService,
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        OfrepService,
        AuditService,
        {
          provide: EventFeedDocuments,
          inject: [KAFKA_ADMIN, LEDGER_TOPICS],
          useFactory: (admin: Admin, topics: LedgerTopics) => EventFeedDocuments.build(config, admin, topics.events),
        },
      ],
    };
  }
}
