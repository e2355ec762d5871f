import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { type Kafka } from 'kafkajs';
import { ABSENT, decide, type ProjectedOutcome, type StickyState, type StorageCommand } from '@ledger/assignment';
import { type DeleteReason, type EventCause, InvalidEventError, type LedgerEvent, type LedgerEventData, type StickyValues } from '@ledger/events';
import { BrokerUnavailableError, DatabaseUnavailableError, withDeadline } from '@ledger/platform';
import { type AppendedPosition, EventAppender, KAFKA, KEY_PARTITIONER, type KeyPartitioner, LEDGER_TOPICS, type LedgerTopics, withEnvelope } from '@ledger/storage';
import { type LedgerConfig } from '../config';
import { CallerDeadlinePassedError, ProjectionLagError, RefusedByReadModelError } from '../errors/ledger-errors';
import { LEDGER_CONFIG } from '../ledger-config.token';
import { appendFailureOf, LedgerMetrics } from '../metrics/ledger-metrics';
import { LogEndReader } from '../projection/log-end.reader';
import { ProjectionProgress } from '../projection/projection-progress';
import { StickyRecordsCache } from './sticky-records.cache';
import { type StickyRecord, StickyValuesRepository, type UserPersistedValues } from './sticky-values.repository';

/** Who is calling and as part of which request: what the appended event records as its cause. */
export interface CallContext extends EventCause {
  /** When the caller stops waiting, in ms since the epoch; past it nothing is appended, since the caller was told the call failed. */
  deadline?: number;
}

export interface WriteOptions {
  /** Answer once the event is in the log, without waiting for the read model (`Prefer: respond-async`). */
  async: boolean;
}

export type SaveResult =
  | { outcome: 'saved'; eventId: string; value: StickyValues }
  /** `eventId` is the save that put the held value there. */
  | { outcome: 'already_sticky'; eventId: string | null; value: StickyValues | null }
  | { outcome: 'accepted'; eventId: string; partition: number; offset: string };

export type DeleteResult = { outcome: 'deleted'; eventId: string } | { outcome: 'absent'; eventId?: string } | { outcome: 'accepted'; eventId: string; partition: number; offset: string };

/**
 * Statsig's storage contract (load / save / delete) on the ledger: reads come from the read model;
 * writes load state, ask the pure core what to append, append to the log and, unless asked not to,
 * wait until the projection has applied the event so the answer tells what it did.
 */
@Injectable()
export class StickyValuesService implements OnModuleInit, OnApplicationShutdown {
  private readonly appender: EventAppender;

  constructor(
    @Inject(KAFKA) kafka: Kafka,
    @Inject(LEDGER_TOPICS) topics: LedgerTopics,
    @Inject(KEY_PARTITIONER) private readonly partitioner: KeyPartitioner,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
    private readonly repository: StickyValuesRepository,
    private readonly cache: StickyRecordsCache,
    private readonly progress: ProjectionProgress,
    private readonly logEnd: LogEndReader,
    private readonly metrics: LedgerMetrics,
  ) {
    this.appender = new EventAppender(kafka, topics.events, partitioner, config.eventSource);
  }

  async onModuleInit(): Promise<void> {
    await withDeadline(this.appender.connect(), this.config.dependencyTimeoutMs * 5, 'the Kafka broker');
  }

  async onApplicationShutdown(): Promise<void> {
    // Waits for in-flight sends, so every acknowledged write is on the broker before we exit.
    await this.appender.disconnect();
  }

  async load(persistenceKey: string, asOf?: Date): Promise<UserPersistedValues> {
    if (asOf) return this.repository.loadAsOf(persistenceKey, asOf);
    return (await this.repository.loadMany([persistenceKey])).get(persistenceKey) ?? {};
  }

  loadMany(persistenceKeys: string[]): Promise<Map<string, UserPersistedValues>> {
    return this.repository.loadMany(persistenceKeys);
  }

  async save(persistenceKey: string, configName: string, stickyValues: StickyValues, context: CallContext, options: WriteOptions): Promise<SaveResult> {
    const command: StorageCommand = { type: 'SaveStickyValue', persistenceKey, configName, stickyValues };
    // The read model as it stands holds every save acknowledged in the default mode: a value held there is
    // the answer, and only a save over absence reaches the log, where first-write-wins settles any race.
    // Without the read model the log still takes the save: absence is assumed and the fold decides.
    const current = await this.repository.find(persistenceKey, configName).catch((error: unknown) => {
      if (error instanceof DatabaseUnavailableError) return ABSENT;
      throw error;
    });
    const data = decide(command, current);
    if (!data) return heldAnswer(current);
    const { event, position } = await this.append(data, context);
    const eventId = event.metadata.eventId;
    if (options.async) return { outcome: 'accepted', eventId, ...position };
    const outcome = await this.projectedOutcome(eventId, position);
    if (outcome === 'saved') return { outcome: 'saved', eventId, value: stickyValues };
    return heldAnswer(await this.repository.find(persistenceKey, configName));
  }

  async delete(persistenceKey: string, configName: string, reason: DeleteReason, context: CallContext, options: WriteOptions): Promise<DeleteResult> {
    const { state } = await this.stickyAtCallerPosition(persistenceKey, configName);
    const data = decide({ type: 'DeleteStickyValue', persistenceKey, configName, reason }, state);
    if (!data) return { outcome: 'absent' };
    const { event, position } = await this.append(data, context);
    const eventId = event.metadata.eventId;
    if (options.async) return { outcome: 'accepted', eventId, ...position };
    const outcome = await this.projectedOutcome(eventId, position);
    return outcome === 'deleted' ? { outcome: 'deleted', eventId } : { outcome: 'absent', eventId };
  }

  /**
   * The unit's sticky value for a config as the read model holds it now, with its saving event's evaluation
   * details; served from the cache the projector's notices keep fresh (see StickyRecordsCache).
   */
  stickyRecord(persistenceKey: string, configName: string): Promise<StickyRecord> {
    return this.cache.recordOf(
      persistenceKey,
      configName,
      () => this.partitioner.partitionOf(persistenceKey),
      () => this.repository.findWithAssignment(persistenceKey, configName),
    );
  }

  /**
   * The unit's sticky value for a config as of the caller's read position: the projection must first have
   * applied everything the log held when the call arrived, or a save acknowledged just before could be
   * missed (and a delete judged "absent", or a second first evaluation made).
   */
  async stickyAtCallerPosition(persistenceKey: string, configName: string): Promise<StickyRecord> {
    const partition = this.partitioner.partitionOf(persistenceKey);
    const end = await this.logEnd.endOf(partition);
    await this.progress.waitUntilPosition(partition, end, this.config.readYourWritesTimeoutMs);
    return this.repository.findWithAssignment(persistenceKey, configName);
  }

  /** Appends an event and waits until the read model applied it; answers what the projection did with it. */
  async appendAndProject(data: LedgerEventData, context: CallContext): Promise<{ event: LedgerEvent; outcome: ProjectedOutcome }> {
    const { event, position } = await this.append(data, context);
    return { event, outcome: await this.projectedOutcome(event.metadata.eventId, position) };
  }

  private async projectedOutcome(eventId: string, position: AppendedPosition): Promise<ProjectedOutcome> {
    try {
      await this.progress.waitUntilApplied(position.partition, BigInt(position.offset), this.config.readYourWritesTimeoutMs);
    } catch (error) {
      if (error instanceof ProjectionLagError) throw new ProjectionLagError({ ...position, eventId });
      throw error;
    }
    const outcome = await this.repository.outcomeOf(eventId);
    // Passed but not recorded: the projector dead-lettered it, which the input contract is there to prevent.
    if (outcome === undefined) throw new RefusedByReadModelError(eventId);
    return outcome;
  }

  private async append(data: LedgerEventData, context: CallContext): Promise<{ event: LedgerEvent; position: AppendedPosition }> {
    if (context.deadline !== undefined && Date.now() >= context.deadline) {
      this.metrics.appendFailed('deadline');
      throw new CallerDeadlinePassedError();
    }
    const { source, apiKeyId, requestId, traceparent } = context;
    const event = withEnvelope(data, traceparent === undefined ? { source, apiKeyId, requestId } : { source, apiKeyId, requestId, traceparent });
    try {
      const position = await withDeadline(this.appender.append(event), this.config.dependencyTimeoutMs, 'the Kafka broker');
      this.metrics.appendSucceeded(event.type);
      return { event, position };
    } catch (error) {
      this.metrics.appendFailed(appendFailureOf(error));
      // An event that breaks its schema got past the input contract: a bug (500), not the broker's outage.
      if (error instanceof InvalidEventError) throw error;
      throw new BrokerUnavailableError(`the event log is unavailable: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

function heldAnswer(state: StickyState): SaveResult {
  return state.kind === 'held' ? { outcome: 'already_sticky', eventId: state.savedEventId, value: state.stickyValues } : { outcome: 'already_sticky', eventId: null, value: null };
}
