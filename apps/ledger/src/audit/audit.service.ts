import { Injectable } from '@nestjs/common';
import { type AuditEntry, auditTrail, type CurrentExperiment, explainStickiness, type StickinessExplanation } from '@ledger/assignment';
import { type CallContext, type EraseResult, type ExperimentAssignments, ExperimentAssignmentsReads, StickyValuesLedger, StickyValuesReads } from '@ledger/ledger';
import { InvalidRequestError } from '@ledger/platform';
import { type Readable } from 'node:stream';
import { UnknownExperimentError } from '../errors/ledger-errors';
import { ExperimentsService } from '../experiments/experiments.service';
import { decodeAuditCursor, encodeAuditCursor } from './audit.dto';

export interface AuditPage {
  key: string;
  entries: AuditEntry[];
  nextCursor: string | null;
}

/** "Why is this unit sticky?": the unit's history folded by the core, its explanation, an experiment's counts, erasure. */
@Injectable()
export class AuditService {
  constructor(
    private readonly reads: StickyValuesReads,
    private readonly assignmentsReads: ExperimentAssignmentsReads,
    private readonly experiments: ExperimentsService,
    private readonly ledger: StickyValuesLedger,
  ) {}

  async trail(key: string, options: { experiment?: string; cursor?: string; limit: number }): Promise<AuditPage> {
    if (options.cursor === undefined) {
      // The first page depends on its own events only: read one more than it holds, to know whether another follows.
      const events = await this.reads.history(key, options.experiment, options.limit + 1);
      const entries = auditTrail(events.slice(0, options.limit).map((entry) => entry.event));
      const last = entries.at(-1);
      return { key, entries, nextCursor: last && events.length > options.limit ? encodeAuditCursor(last.eventId) : null };
    }
    // A later page's outcomes depend on everything before it, so the history up to it is folded.
    const entries = auditTrail((await this.reads.history(key, options.experiment)).map((entry) => entry.event));
    const after = decodeAuditCursor(options.cursor);
    const index = after === undefined ? -1 : entries.findIndex((entry) => entry.eventId === after);
    if (index < 0) throw new InvalidRequestError('the cursor is not one this trail gave out (or the unit was erased since)');
    const start = index + 1;
    const page = entries.slice(start, start + options.limit);
    const last = page.at(-1);
    return { key, entries: page, nextCursor: last && start + page.length < entries.length ? encodeAuditCursor(last.eventId) : null };
  }

  async explain(key: string, experiment: string, asOf: string): Promise<StickinessExplanation> {
    const [history, current] = await Promise.all([this.reads.currentEpisode(key, experiment, asOf), this.currentExperiment(experiment)]);
    return explainStickiness({ key, experiment, history: history.map((entry) => entry.event), current, asOf });
  }

  assignments(experiment: string): Promise<ExperimentAssignments> {
    return this.assignmentsReads.assignments(experiment);
  }

  stickyUnits(experiment: string): Promise<Readable> {
    return this.assignmentsReads.stickyUnits(experiment);
  }

  erase(key: string, context: CallContext, async: boolean): Promise<EraseResult> {
    return this.ledger.handle({ type: 'EraseUnit', persistenceKey: key }, context, { async });
  }

  private async currentExperiment(name: string): Promise<CurrentExperiment | null> {
    try {
      const { spec, version } = await this.experiments.latest(name);
      return { spec, version };
    } catch (error) {
      if (error instanceof UnknownExperimentError) return null;
      throw error;
    }
  }
}
