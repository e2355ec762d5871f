import { type DynamicModule, Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import { type Admin, type Kafka } from 'kafkajs';
import { type Logger as PinoLogger } from 'pino';
import { type DataSource } from 'typeorm';
import { type CommonConfig, DEPENDENCY_PROBES, type DependencyProbe, SERVICE_LOGGER, withDeadline } from '@ledger/platform';
import { ledgerDataSourceOptions } from './database/ledger-data-source.options';
import { openLedgerDataSource } from './database/open-ledger-data-source';
import { createKafka } from './kafka/kafka-client';
import { KeyPartitioner } from './kafka/key-partitioner';
import { ensureLedgerTopics, ledgerTopics, type LedgerTopics } from './kafka/ledger-topics';

export const KAFKA = Symbol('KAFKA');
export const KAFKA_ADMIN = Symbol('KAFKA_ADMIN');
export const LEDGER_TOPICS = Symbol('LEDGER_TOPICS');
export const KEY_PARTITIONER = Symbol('KEY_PARTITIONER');

@Injectable()
class KafkaAdminCloser implements OnApplicationShutdown {
  constructor(@Inject(KAFKA_ADMIN) private readonly admin: Admin) {}

  async onApplicationShutdown(): Promise<void> {
    await this.admin.disconnect();
  }
}

/**
 * The broker and the read model's database, shared by the ledger and the projector: connects to both at
 * boot (failing fast with a one-line reason), creates missing topics, runs migrations, and offers probes
 * for readiness.
 */
@Module({})
export class LedgerInfrastructureModule {
  static forRoot(config: CommonConfig, applicationName: string): DynamicModule {
    const timeoutMs = config.dependencyTimeoutMs;
    return {
      module: LedgerInfrastructureModule,
      global: true,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => ({
            ...ledgerDataSourceOptions({ url: config.database.url, poolSize: config.database.poolSize, timeoutMs, applicationName }),
            // Fail the boot at once with the reason; an orchestrator restarts us, a developer reads one line.
            retryAttempts: 0,
            toRetry: () => false,
          }),
          dataSourceFactory: (options) => openLedgerDataSource(options!, { createIfMissing: config.database.createIfMissing, timeoutMs }),
        }),
      ],
      providers: [
        { provide: LEDGER_TOPICS, useValue: ledgerTopics(config.kafka.topic) },
        {
          provide: KAFKA,
          inject: [SERVICE_LOGGER],
          useFactory: (logger: PinoLogger) => createKafka({ brokers: config.kafka.brokers, clientId: config.kafka.clientId, timeoutMs }, logger.child({ context: 'kafka' })),
        },
        {
          provide: KAFKA_ADMIN,
          inject: [KAFKA, LEDGER_TOPICS],
          useFactory: async (kafka: Kafka, topics: LedgerTopics) => {
            const admin = kafka.admin();
            const brokers = config.kafka.brokers.join(',');
            try {
              await withDeadline(
                (async () => {
                  await admin.connect();
                  await ensureLedgerTopics(admin, topics, config.kafka.partitions);
                })(),
                timeoutMs * 5,
                `the Kafka broker at ${brokers}`,
              );
            } catch (error) {
              await admin.disconnect().catch(() => undefined);
              throw new Error(`cannot reach the Kafka broker at ${brokers}: ${error instanceof Error ? error.message : String(error)}`);
            }
            return admin;
          },
        },
        KafkaAdminCloser,
        {
          provide: KEY_PARTITIONER,
          inject: [KAFKA_ADMIN, LEDGER_TOPICS],
          useFactory: (admin: Admin, topics: LedgerTopics) => KeyPartitioner.forTopic(admin, topics.events),
        },
        {
          provide: DEPENDENCY_PROBES,
          inject: [KAFKA_ADMIN, getDataSourceToken()],
          useFactory: (admin: Admin, dataSource: DataSource): DependencyProbe[] => [
            { name: 'kafka', check: async () => void (await withDeadline(admin.describeCluster(), timeoutMs, 'the Kafka broker')) },
            { name: 'database', check: async () => void (await withDeadline(dataSource.query('SELECT 1'), timeoutMs, 'the database')) },
          ],
        },
      ],
      exports: [KAFKA, KAFKA_ADMIN, LEDGER_TOPICS, KEY_PARTITIONER, DEPENDENCY_PROBES],
    };
  }
}
