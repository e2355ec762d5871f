import { Injectable } from '@nestjs/common';
import { decidePublish, validateExperimentSpec } from '@ledger/assignment';
import { InvalidRequestError } from '@ledger/platform';
import { InvalidExperimentSpecError, UnknownExperimentError } from '../errors/ledger-errors';
import { decodeExperimentCursor, encodeExperimentCursor } from './experiment-list.cursor';
import { ExperimentsRepository, type ExperimentSummary, type PublishedExperiment, type PublishResult } from './experiments.repository';
import { PublishedExperimentsCache } from './published-experiments.cache';

export interface ExperimentPage {
  experiments: ExperimentSummary[];
  /** Passed back as `cursor` for the next page; null on the last one. */
  nextCursor: string | null;
}

/** The experiment registry: publishing validated, immutable versions, with who published them and what changed. */
@Injectable()
export class ExperimentsService {
  constructor(
    private readonly repository: ExperimentsRepository,
    private readonly cache: PublishedExperimentsCache,
  ) {}

  async publish(name: string, candidate: unknown, publishedBy: string): Promise<PublishResult> {
    const validation = validateExperimentSpec(name, candidate);
    if (!validation.ok) throw new InvalidExperimentSpecError(validation.problems);
    const result = await this.repository.publish(name, (latest) => decidePublish(latest?.spec ?? null, validation.spec), publishedBy);
    if (result.outcome === 'published') this.cache.published(name);
    return result;
  }

  async list(page: { limit: number; cursor?: string }): Promise<ExperimentPage> {
    const after = page.cursor === undefined ? undefined : decodeExperimentCursor(page.cursor);
    if (page.cursor !== undefined && after === undefined) throw new InvalidRequestError('the cursor is not one this API gave out');
    const found = await this.repository.latestPage(after, page.limit + 1);
    const shown = found.slice(0, page.limit);
    const last = shown.at(-1);
    return { experiments: shown, nextCursor: found.length > page.limit && last ? encodeExperimentCursor(last.name) : null };
  }

  async latest(name: string): Promise<PublishedExperiment> {
    const found = await this.cache.latestOf(name, () => this.repository.latest(name));
    if (!found) throw new UnknownExperimentError(name);
    return found;
  }

  async version(name: string, version: number): Promise<PublishedExperiment> {
    const found = await this.repository.version(name, version);
    if (!found) throw new UnknownExperimentError(name, version);
    return found;
  }

  async versions(name: string): Promise<PublishedExperiment[]> {
    const found = await this.repository.versions(name);
    if (found.length === 0) throw new UnknownExperimentError(name);
    return found;
  }

  allActive(): Promise<PublishedExperiment[]> {
    return this.cache.active(() => this.repository.allActive());
  }
}
