import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { type Kafka } from 'kafkajs';
import { type LedgerEvent, normalizeStickyValues, type StickyValuesInput } from '@ledger/events';
import { BrokerUnavailableError, withDeadline } from '@ledger/platform';
import { type AppendedPosition, EventAppender, KAFKA, LEDGER_TOPICS, type LedgerTopics } from '@ledger/storage';
import { LEDGER_CONFIG } from '../ledger-config.token';
import { type LedgerConfig } from '../config';

export interface CallContext {
  apiKeyId: string | null;
  requestId: string;
}

export interface AppendedEvent extends AppendedPosition {
  eventId: string;
}

/** The write side: turns storage calls into ledger events and appends them to the log. */
@Injectable()
export class StickyValuesService implements OnModuleInit, OnApplicationShutdown {
  private readonly appender: EventAppender;

  constructor(
    @Inject(KAFKA) kafka: Kafka,
    @Inject(LEDGER_TOPICS) topics: LedgerTopics,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {
    this.appender = new EventAppender(kafka, topics.events);
  }

  async onModuleInit(): Promise<void> {
    await withDeadline(this.appender.connect(), this.config.dependencyTimeoutMs * 5, 'the Kafka broker');
  }

  async onApplicationShutdown(): Promise<void> {
    // Disconnecting waits for in-flight sends, so every acknowledged write is on the broker before we exit.
    await this.appender.disconnect();
  }

  async save(persistenceKey: string, configName: string, input: StickyValuesInput, context: CallContext): Promise<AppendedEvent> {
    const event: LedgerEvent = {
      type: 'StickyValueSaved',
      version: 1,
      data: { persistenceKey, configName, stickyValues: normalizeStickyValues(input) },
      metadata: {
        eventId: randomUUID(),
        occurredAt: new Date().toISOString(),
        caller: { apiKeyId: context.apiKeyId },
        correlationId: context.requestId,
        source: 'storage_api',
      },
    };
    return { eventId: event.metadata.eventId, ...(await this.append(event)) };
  }

  private async append(event: LedgerEvent): Promise<AppendedPosition> {
    try {
      return await withDeadline(this.appender.append(event), this.config.dependencyTimeoutMs, 'the Kafka broker');
    } catch (error) {
      throw new BrokerUnavailableError(`the event log is unavailable: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
