import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { type Kafka } from 'kafkajs';
import {
  ABSENT,
  type AssignmentResult,
  decide,
  decideAssignment,
  decideErasure,
  type DeleteStickyValue,
  type EraseUnit,
  type EvaluateAssignment,
  evolve,
  type ProjectedOutcome,
  type SaveStickyValue,
  type StickyState,
  stickyStateOf,
} from '@ledger/assignment';
import { type EventCause, InvalidEventError, type LedgerEvent, type LedgerEventData, type StickyValues } from '@ledger/events';
import { BrokerUnavailableError, DatabaseUnavailableError, withDeadline } from '@ledger/platform';
import { KAFKA, KEY_PARTITIONER, type KeyPartitioner, LEDGER_TOPICS, type LedgerTopics } from '@ledger/storage';
import { CallerDeadlinePassedError, ProjectionLagError, RefusedByReadModelError } from '../ledger-errors';
import { appendFailureOf, LEDGER_METRICS, type LedgerActivityMetrics } from '../ledger-metrics.port';
import { LEDGER_OPTIONS, type LedgerOptions } from '../ledger-options';
import { type AppendedPosition, EventAppender } from '../log/event-appender';
import { withEnvelope } from '../log/event-envelope';
import { LogEndReader } from '../log/log-end.reader';
import { StickyStatesCache } from '../notices/sticky-states.cache';
import { ProjectionProgress } from '../projection/projection-progress';
import { StickyValuesReads, type UserPersistedValues } from '../read-model/sticky-values.reads';

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

export type EraseResult = { outcome: 'erased'; eventId: string } | { outcome: 'accepted'; eventId: string; partition: number; offset: string };

/** An evaluation's answer, and the unit's state for the experiment once the log has settled what it appended. */
export interface EvaluationOutcome {
  result: AssignmentResult;
  persistenceKey: string | undefined;
  state: StickyState;
}

/**
 * The one home of the log and its read model for writers: a command is judged by the pure core over the
 * unit's state, what the core decides is appended, and, unless asked not to, the answer waits until the
 * projection has applied it, so it tells what the log made of it. Reads come from the read model.
 */
@Injectable()
export class StickyValuesLedger implements OnModuleInit, OnApplicationShutdown {
  private readonly appender: EventAppender;

  constructor(
    @Inject(KAFKA) kafka: Kafka,
    @Inject(LEDGER_TOPICS) topics: LedgerTopics,
    @Inject(KEY_PARTITIONER) private readonly partitioner: KeyPartitioner,
    @Inject(LEDGER_OPTIONS) private readonly options: LedgerOptions,
    @Inject(LEDGER_METRICS) private readonly metrics: LedgerActivityMetrics,
    private readonly reads: StickyValuesReads,
    private readonly cache: StickyStatesCache,
    private readonly progress: ProjectionProgress,
    private readonly logEnd: LogEndReader,
  ) {
    this.appender = new EventAppender(kafka, topics.events, partitioner, options.eventSource);
  }

  async onModuleInit(): Promise<void> {
    await withDeadline(this.appender.connect(), this.options.dependencyTimeoutMs * 5, 'the Kafka broker');
  }

  async onApplicationShutdown(): Promise<void> {
    // Waits for in-flight sends, so every acknowledged write is on the broker before we exit.
    await this.appender.disconnect();
  }

  async load(persistenceKey: string, asOf?: Date): Promise<UserPersistedValues> {
    if (asOf) return this.reads.loadAsOf(persistenceKey, asOf);
    return (await this.reads.loadMany([persistenceKey])).get(persistenceKey) ?? {};
  }

  loadMany(persistenceKeys: string[]): Promise<Map<string, UserPersistedValues>> {
    return this.reads.loadMany(persistenceKeys);
  }

  handle(command: SaveStickyValue, context: CallContext, options: WriteOptions): Promise<SaveResult>;
  handle(command: DeleteStickyValue, context: CallContext, options: WriteOptions): Promise<DeleteResult>;
  handle(command: EraseUnit, context: CallContext, options: WriteOptions): Promise<EraseResult>;
  handle(command: EvaluateAssignment, context: CallContext): Promise<EvaluationOutcome>;
  handle(
    command: SaveStickyValue | DeleteStickyValue | EraseUnit | EvaluateAssignment,
    context: CallContext,
    options?: WriteOptions,
  ): Promise<SaveResult | DeleteResult | EraseResult | EvaluationOutcome> {
    switch (command.type) {
      case 'EraseUnit':
        return this.erase(command, context, options!);
      case 'SaveStickyValue':
        return this.save(command, context, options!);
      case 'DeleteStickyValue':
        return this.delete(command, context, options!);
      case 'EvaluateAssignment':
        return this.evaluate(command, context);
    }
  }

  private async save(command: SaveStickyValue, context: CallContext, options: WriteOptions): Promise<SaveResult> {
    const { persistenceKey, configName } = command;
    // The read model as it stands holds every save acknowledged in the default mode: a value held there is
    // the answer, and only a save over absence reaches the log, where first-write-wins settles any race.
    // Without the read model the log still takes the save: absence is assumed and the fold decides.
    const current = await this.reads.find(persistenceKey, configName).catch((error: unknown) => {
      if (error instanceof DatabaseUnavailableError) return ABSENT;
      throw error;
    });
    const data = decide(command, current);
    if (!data) return heldAnswer(current);
    const { event, position } = await this.append(data, context);
    const eventId = event.metadata.eventId;
    if (options.async) return { outcome: 'accepted', eventId, ...position };
    const outcome = await this.projectedOutcome(eventId, position);
    if (outcome === 'saved') return { outcome: 'saved', eventId, value: command.stickyValues };
    return heldAnswer(await this.reads.find(persistenceKey, configName));
  }

  private async delete(command: DeleteStickyValue, context: CallContext, options: WriteOptions): Promise<DeleteResult> {
    const data = decide(command, await this.stateAtCallerPosition(command.persistenceKey, command.configName));
    if (!data) return { outcome: 'absent' };
    const { event, position } = await this.append(data, context);
    const eventId = event.metadata.eventId;
    if (options.async) return { outcome: 'accepted', eventId, ...position };
    const outcome = await this.projectedOutcome(eventId, position);
    return outcome === 'deleted' ? { outcome: 'deleted', eventId } : { outcome: 'absent', eventId };
  }

  private async erase(command: EraseUnit, context: CallContext, options: WriteOptions): Promise<EraseResult> {
    const { event, position } = await this.append(decideErasure(command), context);
    const eventId = event.metadata.eventId;
    if (options.async) return { outcome: 'accepted', eventId, ...position };
    // An erasure leaves no history entry to read an outcome from: once the projection has passed it, it is done.
    await this.waitForProjection(eventId, position);
    return { outcome: 'erased', eventId };
  }

  /**
   * Decides over the cached state (which holds every write this instance acknowledged), again at the
   * caller's read position when the core asks, appends what it decides in order, and, should a racing
   * first evaluation reach the log first, decides again over the winner's value, appending nothing more.
   */
  private async evaluate(command: EvaluateAssignment, context: CallContext): Promise<EvaluationOutcome> {
    const unit = stickyStateOf(command);
    if (!unit) return { result: decideAssignment(command, ABSENT).result, persistenceKey: undefined, state: ABSENT };
    const { persistenceKey, configName } = unit;
    let state = await this.cachedState(persistenceKey, configName);
    let decision = decideAssignment(command, state);
    if (decision.judgeAtReadPosition) {
      state = await this.stateAtCallerPosition(persistenceKey, configName);
      decision = decideAssignment(command, state);
    }
    for (const data of decision.events) {
      const { event, outcome } = await this.appendAndProject(data, { ...context, source: 'evaluation' });
      if (outcome === 'superseded') {
        // Another server's first evaluation lies before ours in the log, and is projected too: answer with its value, as every caller will.
        state = await this.cachedState(persistenceKey, configName);
        return { result: decideAssignment(command, state).result, persistenceKey, state };
      }
      state = evolve(state, event).state;
    }
    return { result: decision.result, persistenceKey, state };
  }

  /** Served from the cache the projector's notices keep fresh (see StickyStatesCache). */
  private cachedState(persistenceKey: string, configName: string): Promise<StickyState> {
    return this.cache.stateOf(
      persistenceKey,
      configName,
      () => this.partitioner.partitionOf(persistenceKey),
      () => this.reads.find(persistenceKey, configName),
    );
  }

  /**
   * The unit's state as of the caller's read position: the projection must first have applied everything
   * the log held when the call arrived, or a save acknowledged just before could be missed (and a delete
   * judged "absent", or a second first evaluation made).
   */
  private async stateAtCallerPosition(persistenceKey: string, configName: string): Promise<StickyState> {
    const partition = this.partitioner.partitionOf(persistenceKey);
    const end = await this.logEnd.endOf(partition);
    await this.progress.waitUntilPosition(partition, end, this.options.readYourWritesTimeoutMs);
    return this.reads.find(persistenceKey, configName);
  }

  private async appendAndProject(data: LedgerEventData, context: CallContext): Promise<{ event: LedgerEvent; outcome: ProjectedOutcome }> {
    const { event, position } = await this.append(data, context);
    return { event, outcome: await this.projectedOutcome(event.metadata.eventId, position) };
  }

  private async waitForProjection(eventId: string, position: AppendedPosition): Promise<void> {
    try {
      await this.progress.waitUntilApplied(position.partition, BigInt(position.offset), this.options.readYourWritesTimeoutMs);
    } catch (error) {
      if (error instanceof ProjectionLagError) throw new ProjectionLagError({ ...position, eventId });
      throw error;
    }
  }

  private async projectedOutcome(eventId: string, position: AppendedPosition): Promise<ProjectedOutcome> {
    await this.waitForProjection(eventId, position);
    const outcome = await this.reads.outcomeOf(eventId);
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
      const position = await withDeadline(this.appender.append(event), this.options.dependencyTimeoutMs, 'the Kafka broker');
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
