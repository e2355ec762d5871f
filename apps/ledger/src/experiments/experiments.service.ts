import { Injectable } from '@nestjs/common';
import { diffSpecs, validateExperimentSpec } from '@ledger/assignment';
import { InvalidExperimentSpecError, UnknownExperimentError } from '../errors/ledger-errors';
import { ExperimentsRepository, type PublishedExperiment } from './experiments.repository';
import { PublishedExperimentsCache } from './published-experiments.cache';

/** The experiment registry: publishing validated, immutable versions, with who published them and what changed. */
@Injectable()
export class ExperimentsService {
  constructor(
    private readonly repository: ExperimentsRepository,
    private readonly cache: PublishedExperimentsCache,
  ) {}

  async publish(name: string, candidate: unknown, publishedBy: string): Promise<PublishedExperiment> {
    const validation = validateExperimentSpec(name, candidate);
    if (!validation.ok) throw new InvalidExperimentSpecError(validation.problems);
    const published = await this.repository.publish(
      name,
      (previous) => ({ spec: validation.spec, diff: diffSpecs(previous ? { ...previous.spec } : null, { ...validation.spec }) }),
      publishedBy,
    );
    this.cache.published(name);
    return published;
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
