import { Injectable } from '@nestjs/common';
import { ABSENT, type AssignmentResult, decide, decideAssignment, persistenceKeyFor, type StickyAssignment } from '@ledger/assignment';
import { type PublishedExperiment } from '../experiments/experiments.repository';
import { ExperimentsService } from '../experiments/experiments.service';
import { type StickyRecord } from '../sticky-values/sticky-values.repository';
import { type CallContext, StickyValuesService } from '../sticky-values/sticky-values.service';
import { type EvaluateBody } from './evaluation.dto';

export interface EvaluationResponse extends Omit<AssignmentResult, 'targeting'> {
  experiment: string;
  version: number;
  targeting: AssignmentResult['targeting'];
  sticky: { key: string; savedAt: string; eventId: string; experimentVersion: number | null } | null;
}

/**
 * "Which group is this user in?", decided on the server in one order: read the unit's sticky value at the
 * caller's read position, let the pure core decide, append what it says, and answer with what the log
 * made of it, so two servers racing on a first evaluation return the same group.
 */
@Injectable()
export class EvaluationService {
  constructor(
    private readonly experiments: ExperimentsService,
    private readonly stickyValues: StickyValuesService,
  ) {}

  async evaluate(name: string, body: EvaluateBody, context: CallContext): Promise<EvaluationResponse> {
    return this.evaluatePublished(await this.experiments.latest(name), body, context);
  }

  async evaluateAll(body: EvaluateBody, context: CallContext): Promise<EvaluationResponse[]> {
    const active = await this.experiments.allActive();
    return Promise.all(active.map((published) => this.evaluatePublished(published, body, context)));
  }

  private async evaluatePublished(published: PublishedExperiment, body: EvaluateBody, context: CallContext): Promise<EvaluationResponse> {
    const { spec, version } = published;
    const key = persistenceKeyFor(body.user, spec.idType);
    const options = { persist: body.persist, enforceTargeting: body.enforceTargeting };
    // The spec version's publication time stands for Statsig's config time in saved values.
    const time = Date.parse(published.publishedAt);
    // The read model as it stands holds every write acknowledged in the default mode, so a held value is
    // answered at once and a first evaluation's save is settled by log order (first write wins).
    let record: StickyRecord | null = key ? await this.stickyValues.stickyRecord(key, spec.name) : null;
    let decision = decideAssignment(spec, version, body.user, stickyAssignment(record), options, time);
    if (key && record?.state.kind !== 'held' && decision.deletesHeldValue) {
      // Absence would skip a delete: a save still on its way to the read model must not survive it.
      record = await this.stickyValues.stickyAtCallerPosition(key, spec.name);
      decision = decideAssignment(spec, version, body.user, stickyAssignment(record), options, time);
    }
    for (const command of decision.commands) {
      // Deletes follow a held value, saves follow absence (a retired value is deleted first).
      const data = decide(command, command.type === 'DeleteStickyValue' ? (record?.state ?? ABSENT) : ABSENT);
      if (!data) continue;
      const { event, outcome } = await this.stickyValues.appendAndProject(data, { ...context, source: 'evaluation' });
      if (command.type === 'DeleteStickyValue') {
        record = null;
        continue;
      }
      if (outcome === 'saved') {
        record = { state: { kind: 'held', stickyValues: command.stickyValues, savedEventId: event.metadata.eventId, savedAt: event.metadata.occurredAt }, assignment: command.assignment ?? null };
      } else {
        // Another server's first evaluation reached the log first (and, lying before ours, is projected too):
        // answer with its value, as every caller will.
        record = await this.stickyValues.stickyRecord(key!, spec.name);
        decision = { ...decideAssignment(spec, version, body.user, stickyAssignment(record), options, time), commands: [] };
      }
    }
    const held = record?.state.kind === 'held' ? record.state : null;
    return {
      experiment: spec.name,
      version,
      ...decision.result,
      sticky:
        held && key ? { key, savedAt: held.savedAt, eventId: held.savedEventId, experimentVersion: numberOrNull(record?.assignment?.experimentVersion) ?? held.stickyValues.config_version } : null,
    };
  }
}

function stickyAssignment(record: StickyRecord | null): StickyAssignment | null {
  if (!record || record.state.kind !== 'held') return null;
  // A value an SDK saved directly carries no bucket version; it counts as the first.
  return { stickyValues: record.state.stickyValues, bucketVersion: numberOrNull(record.assignment?.bucketVersion) ?? 1 };
}

const numberOrNull = (value: unknown): number | null => (typeof value === 'number' ? value : null);
