import { type DeleteReason } from '@ledger/events';
import { type TargetingCondition } from '../targeting';
import { formatDay, formatMoment, formatPercent } from './audit-format';
import { type StickinessFact } from './stickiness.explain';

type Fact<K extends StickinessFact['fact']> = Extract<StickinessFact, { fact: K }>;

const DELETE_REASON_PHRASES: Record<DeleteReason, (removedBucketVersion: number | null) => string> = {
  persisted_values_not_provided: () => 'it was evaluated without persisted values',
  experiment_inactive: () => 'the experiment was no longer active',
  bucket_version_retired: (bucketVersion) =>
    bucketVersion === null ? 'the bucket version it was assigned under was retired' : `bucket version ${bucketVersion}, which it was assigned under, was retired`,
  explicit: () => 'a storage API delete asked for it',
};

/**
 * The one plain sentence a person reads: what the unit holds and why, then what an evaluation now would
 * make of it. A pure function of the facts, so the structured `because` and the sentence never disagree.
 */
export function renderExplanation(facts: readonly StickinessFact[]): string {
  const find = <K extends StickinessFact['fact']>(kind: K): Fact<K> | undefined => facts.find((fact): fact is Fact<K> => fact.fact === kind);
  const saved = find('Saved');
  const deleted = find('Deleted');
  const held = saved !== undefined && deleted === undefined;
  const retired = find('BucketVersionRetired');

  let past: string;
  if (saved && !deleted) {
    past = `${saved.unitId} is in ${group(saved.groupName)} since ${formatDay(saved.at)} because ${howSaved(saved, retired !== undefined)}`;
    const superseded = facts.filter((fact): fact is Fact<'SaveSuperseded'> => fact.fact === 'SaveSuperseded');
    if (superseded.length === 1) {
      const [race] = superseded;
      past += `, and a racing save of ${group(race!.groupName)} (event ${race!.eventId}) reached the log ${race!.millisecondsLater} ms later and was superseded, as the first write wins`;
    } else if (superseded.length > 1) {
      const [first] = superseded;
      past += `, and ${superseded.length} later saves were superseded, as the first write wins (the first of them ${first!.millisecondsLater} ms later: ${group(first!.groupName)}, event ${first!.eventId})`;
    }
  } else if (deleted) {
    const whose = saved ? `${saved.unitId} is not sticky in ${saved.experiment}: it was in ${group(saved.groupName)} from ${formatDay(saved.at)} until` : 'it is not sticky: its value was deleted';
    past = `${whose} ${formatDay(deleted.at)}, when its value was deleted because ${DELETE_REASON_PHRASES[deleted.reason](deleted.removedBucketVersion)}${byKey(deleted.apiKeyId)}`;
  } else {
    const erased = find('Erased');
    const never = find('NeverEvaluated');
    if (erased) {
      past = `${erased.unitId} is not sticky in ${erased.experiment}: its history was erased on ${formatDay(erased.at)}${byKey(erased.apiKeyId)}${erased.removedValue ? ', its value with it,' : ''} and it has not been evaluated since`;
    } else {
      past = `${never!.unitId} has never been evaluated in ${never!.experiment} as of ${formatMoment(never!.asOf)}`;
    }
  }

  const notPublished = find('ExperimentNotPublished');
  const now = find('EvaluatedNow');
  let future: string;
  if (notPublished || !now) {
    future = `${notPublished?.experiment ?? 'the experiment'} has no published version, so it cannot be evaluated now`;
  } else {
    future = whatNow(now, find('TargetingFailsNow'), retired, held ? (saved?.groupName ?? null) : undefined);
  }
  return `${past}; ${future}.`;
}

function howSaved(saved: Fact<'Saved'>, mentionBucketVersion: boolean): string {
  const evaluation = saved.evaluation;
  if (!evaluation) {
    return `an SDK saved that value directly through the storage API${byKey(saved.apiKeyId)}, with no evaluation block, so no version or bucket explains the group`;
  }
  const version = mentionBucketVersion ? `version ${evaluation.experimentVersion} (bucket version ${evaluation.bucketVersion})` : `version ${evaluation.experimentVersion}`;
  const allocation =
    evaluation.allocationPercent === null
      ? `allocation bucket ${evaluation.buckets.allocation} (the allocation at the time was not recorded)`
      : `allocation bucket ${evaluation.buckets.allocation} below ${formatPercent(evaluation.allocationPercent)}`;
  return `it was first evaluated under ${version}, ${allocation}`;
}

/**
 * The second half. `heldGroup` is the group of the value held (undefined when none is), since whether
 * the persisted value decides the answer is what a person wants to know.
 */
function whatNow(now: Fact<'EvaluatedNow'>, targeting: Fact<'TargetingFailsNow'> | undefined, retired: Fact<'BucketVersionRetired'> | undefined, heldGroup: string | null | undefined): string {
  const under = `evaluated now under version ${now.experimentVersion}${now.judgedOnUnitIdOnly ? ' (targeting judged on the unit id alone: no user attributes were given)' : ''}`;
  const liveText = describeLive(now.live.reason, now.live.groupName, targeting);
  const saves = now.wouldAppend.some((append) => append.type === 'StickyValueSaved');
  if (now.status === 'inactive') {
    return heldGroup !== undefined
      ? `version ${now.experimentVersion} is inactive, so evaluated now its value would be deleted and it would not be in the experiment`
      : `version ${now.experimentVersion} is inactive, so evaluated now it would not be in the experiment`;
  }
  if (heldGroup === undefined) {
    return `${under} (allocation ${formatPercent(now.allocationPercent)}) it would be ${liveText}${saves ? ', and that would be saved' : ', so nothing would be saved'}`;
  }
  if (retired) {
    return `its bucket version ${retired.heldBucketVersion} is retired (version ${now.experimentVersion} requires ${retired.minBucketVersion} or later), so ${under} its value would be deleted and it would be ${liveText}${saves ? ', saved anew' : ''}`;
  }
  if (targeting) {
    return targeting.enforceTargeting
      ? `${under} it would fail targeting (${describeCondition(targeting.condition)}), and with enforceTargeting it would get the live result, not in the experiment, while the persisted value in ${group(heldGroup)} is kept for when it passes again`
      : `${under} it would fail targeting (${describeCondition(targeting.condition)}), but without enforceTargeting the persisted value keeps it in ${group(heldGroup)}`;
  }
  if (now.live.reason === 'Evaluated' && now.live.groupName === heldGroup) return `${under} (allocation ${formatPercent(now.allocationPercent)}) it would be in ${group(heldGroup)} anyway`;
  return `${under} (allocation ${formatPercent(now.allocationPercent)}) it would be ${liveText}, so the persisted value keeps it in ${group(heldGroup)}`;
}

function describeLive(reason: string, groupName: string | null, targeting: Fact<'TargetingFailsNow'> | undefined): string {
  if (reason === 'Evaluated') return `in ${group(groupName)}`;
  if (reason === 'TargetingFailed' && targeting) return `TargetingFailed (${describeCondition(targeting.condition)})`;
  return reason;
}

const describeCondition = (condition: TargetingCondition): string => `${condition.field} ${condition.operator} ${condition.values.join(', ')}`.trimEnd();

const group = (name: string | null): string => name ?? 'no group';

const byKey = (apiKeyId: string | null): string => (apiKeyId ? ` (API key ${apiKeyId})` : '');
