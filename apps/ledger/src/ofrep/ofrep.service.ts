import { Injectable } from '@nestjs/common';
import { StatsigUserSchema } from '@ledger/assignment';
import { validatorFor } from '@ledger/platform';
import { EvaluationService } from '../evaluation/evaluation.service';
import { type PublishedExperiment } from '../experiments/experiments.repository';
import { ExperimentsService } from '../experiments/experiments.service';
import { type CallContext } from '@ledger/ledger';
import { type OfrepAnswer, ofrepAnswerOf, statsigUserFor } from './ofrep-answer';
import { InvalidContextError } from './ofrep-error.filter';
import { type OfrepContext } from './ofrep.dto';

const checkUser = validatorFor(StatsigUserSchema, 'evaluation context', (problems) => new InvalidContextError(`the evaluation context is invalid: ${problems.join('; ')}`, { problems }));

/** OFREP's two evaluations over the ledger's own: persisted as `persist: true` is, answered in OFREP's terms. */
@Injectable()
export class OfrepService {
  constructor(
    private readonly experiments: ExperimentsService,
    private readonly evaluation: EvaluationService,
  ) {}

  async evaluateFlag(key: string, context: OfrepContext | undefined, call: CallContext): Promise<OfrepAnswer> {
    return this.evaluatePublished(await this.experiments.latest(key), context, call);
  }

  /** Every active experiment; a flag whose experiment the context has no unit for is answered as a failure. */
  async evaluateFlags(context: OfrepContext | undefined, call: CallContext): Promise<OfrepAnswer[]> {
    const active = await this.experiments.allActive();
    return Promise.all(active.map((published) => this.evaluatePublished(published, context, call)));
  }

  private async evaluatePublished({ name, spec }: PublishedExperiment, context: OfrepContext | undefined, call: CallContext): Promise<OfrepAnswer> {
    const conversion = statsigUserFor(context, spec.idType);
    if (!conversion.ok) throw new InvalidContextError(`the evaluation context is invalid: ${conversion.problems.join('; ')}`, { problems: conversion.problems });
    const result = await this.evaluation.evaluate(name, { user: checkUser(conversion.user), persist: true, enforceTargeting: false }, call);
    return ofrepAnswerOf(spec, result);
  }
}
