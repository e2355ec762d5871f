import { diffSpecs, type ExperimentDiff } from './experiment-diff';
import { type ExperimentSpec } from './experiment-spec';

export type PublishDecision = { kind: 'unchanged' } | { kind: 'new_version'; spec: ExperimentSpec; diff: ExperimentDiff };

/**
 * Whether publishing `candidate` (validated, defaults filled in) over the experiment's latest version adds a
 * version. A spec equal to the latest adds none, so a deploy that re-sends every spec leaves the registry, its
 * audit trail and every instance's cache as they were.
 */
export function decidePublish(latest: ExperimentSpec | null, candidate: ExperimentSpec): PublishDecision {
  const diff = diffSpecs(latest ? { ...latest } : null, { ...candidate });
  return latest && Object.keys(diff).length === 0 ? { kind: 'unchanged' } : { kind: 'new_version', spec: candidate, diff };
}
