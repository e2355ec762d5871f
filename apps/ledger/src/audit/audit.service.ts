import { Injectable } from '@nestjs/common';
import { type AuditEntry, auditTrailPage, type CurrentExperiment, explainStickiness, type StickinessExplanation } from '@ledger/assignment';
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
    let afterEventId: string | undefined;
    if (options.cursor !== undefined) {
      afterEventId = decodeAuditCursor(options.cursor);
      if (afterEventId === undefined) throw unknownCursor();
    }
    // One more than the page holds, to know whether another follows.
    const found = await this.reads.historyPage(key, { configName: options.experiment, afterEventId, limit: options.limit + 1 });
    if (!found) throw unknownCursor();
    const entries = auditTrailPage(
      found.heldBefore.map((entry) => entry.event),
      found.page.slice(0, options.limit).map((entry) => entry.event),
    );
    const last = entries.at(-1);
    return { key, entries, nextCursor: last && found.page.length > options.limit ? encodeAuditCursor(last.eventId) : null };
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

const unknownCursor = () => new InvalidRequestError('the cursor is not one this trail gave out (or the unit was erased since)');
