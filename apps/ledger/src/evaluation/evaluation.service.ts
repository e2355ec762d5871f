import { Injectable } from '@nestjs/common';
import { type AssignmentResult, type EvaluateAssignment } from '@ledger/assignment';
import { type CallContext, type EvaluationOutcome, StickyValuesLedger } from '@ledger/ledger';
import { type PublishedExperiment } from '../experiments/experiments.repository';
import { ExperimentsService } from '../experiments/experiments.service';
import { type EvaluateBody } from './evaluation.dto';

export interface EvaluationResponse extends Omit<AssignmentResult, 'targeting'> {
  experiment: string;
  version: number;
  targeting: AssignmentResult['targeting'];
  sticky: { key: string; savedAt: string; eventId: string; experimentVersion: number | null } | null;
}

/**
 * "Which group is this user in?": the published version of the experiment and the request make an
 * EvaluateAssignment command; the ledger decides, appends and answers with what the log made of it.
 */
@Injectable()
export class EvaluationService {
  constructor(
    private readonly experiments: ExperimentsService,
    private readonly ledger: StickyValuesLedger,
  ) {}

  async evaluate(name: string, body: EvaluateBody, context: CallContext): Promise<EvaluationResponse> {
    return this.evaluatePublished(await this.experiments.latest(name), body, context);
  }

  async evaluateAll(body: EvaluateBody, context: CallContext): Promise<EvaluationResponse[]> {
    const active = await this.experiments.allActive();
    return Promise.all(active.map((published) => this.evaluatePublished(published, body, context)));
  }

  private async evaluatePublished(published: PublishedExperiment, body: EvaluateBody, context: CallContext): Promise<EvaluationResponse> {
    const command: EvaluateAssignment = {
      type: 'EvaluateAssignment',
      spec: published.spec,
      specVersion: published.version,
      user: body.user,
      options: { persist: body.persist, enforceTargeting: body.enforceTargeting },
      // The spec version's publication time stands for Statsig's config time in saved values.
      time: Date.parse(published.publishedAt),
    };
    return toResponse(published, await this.ledger.handle(command, context));
  }
}

function toResponse(published: PublishedExperiment, { result, persistenceKey, state }: EvaluationOutcome): EvaluationResponse {
  const sticky =
    state.kind === 'held' && persistenceKey
      ? { key: persistenceKey, savedAt: state.savedAt, eventId: state.savedEventId, experimentVersion: state.assignment?.experimentVersion ?? state.stickyValues.config_version }
      : null;
  return { experiment: published.spec.name, version: published.version, ...result, sticky };
}
