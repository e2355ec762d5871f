import fc from 'fast-check';
import { type LedgerEventData } from '@ledger/events';
import { type AssignmentOptions, decideAssignment } from './assignment.decide';
import { type ExperimentSpec, validateExperimentSpec } from './experiment-spec';
import { type StatsigUser } from './statsig-user';
import { ABSENT, evolve, type StickyState } from './sticky-state.evolve';

const specArbitrary = fc
  .record({
    allocationPercent: fc.integer({ min: 0, max: 10_000 }).map((basisPoints) => basisPoints / 100),
    split: fc.integer({ min: 0, max: 100 }),
    salt: fc.string({ minLength: 1, maxLength: 12 }),
    bucketVersion: fc.integer({ min: 1, max: 3 }),
    country: fc.constantFrom('NZ', 'AU', 'US'),
  })
  .map(({ allocationPercent, split, salt, bucketVersion, country }) => {
    const result = validateExperimentSpec('exp', {
      status: 'active',
      salt,
      allocationPercent,
      bucketVersion,
      targeting: [{ field: 'country', operator: 'any', values: [country] }],
      groups: [
        { name: 'Control', weight: split, parameters: { v: 1 } },
        { name: 'Test', weight: 100 - split, parameters: { v: 2 } },
      ],
    });
    if (!result.ok) throw new Error(result.problems.join('; '));
    return result.spec;
  });
const userArbitrary = fc.record({ userID: fc.string({ minLength: 1, maxLength: 20 }), country: fc.constantFrom('NZ', 'AU', 'US') });
const persistent = { persist: true, enforceTargeting: false };
const metadata = (index: number) => ({
  eventId: `00000000-0000-4000-8000-00000000000${index}`,
  occurredAt: '2026-11-25T00:00:00Z',
  cause: { source: 'evaluation' as const, apiKeyId: null, requestId: 'c' },
});
type SaveData = Extract<LedgerEventData, { type: 'StickyValueSaved' }>;
const isSave = (event: LedgerEventData): event is SaveData => event.type === 'StickyValueSaved';
const evaluate = (spec: ExperimentSpec, version: number, user: StatsigUser, state: StickyState, options: AssignmentOptions = persistent, time = 5) =>
  decideAssignment({ type: 'EvaluateAssignment', spec, specVersion: version, user, options, time }, state);

describe('assignment decisions (properties)', () => {
  it('are deterministic', () => {
    fc.assert(fc.property(specArbitrary, userArbitrary, (spec, user) => expect(evaluate(spec, 1, user, ABSENT)).toEqual(evaluate(spec, 1, user, ABSENT))));
  });

  it('keep a user in the group first saved, under any later spec change while the experiment is active', () => {
    fc.assert(
      fc.property(specArbitrary, specArbitrary, userArbitrary, userArbitrary, (first, later, user, laterUser) => {
        const firstDecision = evaluate(first, 1, user, ABSENT);
        const save = firstDecision.events.find(isSave);
        fc.pre(save !== undefined);
        const { state } = evolve(ABSENT, { ...save, metadata: metadata(1) });
        const again = evaluate({ ...later, minBucketVersion: 0 }, 2, { ...laterUser, userID: user.userID }, state, persistent, 6);
        expect(again.result).toMatchObject({ reason: 'Persisted', groupName: firstDecision.result.groupName });
        expect(again.events).toEqual([]);
      }),
    );
  });

  it('let the first save in the log win when two servers race on a first evaluation', () => {
    fc.assert(
      fc.property(specArbitrary, specArbitrary, userArbitrary, (specA, specB, user) => {
        const saves = [evaluate(specA, 1, user, ABSENT, persistent, 1), evaluate(specB, 2, user, ABSENT, persistent, 2)].flatMap((decision) => decision.events).filter(isSave);
        fc.pre(saves.length === 2);
        let state: StickyState = ABSENT;
        for (const [index, save] of saves.entries()) state = evolve(state, { ...save, metadata: metadata(index) }).state;
        expect(state.kind === 'held' && state.stickyValues).toEqual(saves[0]!.data.stickyValues);
      }),
    );
  });

  it('ask to be judged at the read position exactly when, with a value held, they would delete it', () => {
    const held: StickyState = {
      kind: 'held',
      savedEventId: '00000000-0000-4000-8000-000000000001',
      savedAt: '2026-11-25T00:00:00Z',
      assignment: null,
      stickyValues: {
        value: true,
        json_value: {},
        rule_id: 'Control',
        group_name: 'Control',
        secondary_exposures: [],
        undelegated_secondary_exposures: null,
        config_delegate: null,
        explicit_parameters: null,
        time: 1,
        config_version: 1,
      },
    };
    fc.assert(
      fc.property(specArbitrary, userArbitrary, fc.boolean(), fc.boolean(), fc.boolean(), (spec, user, persist, enforceTargeting, active) => {
        const current = { ...spec, status: active ? ('active' as const) : ('inactive' as const) };
        const options = { persist, enforceTargeting };
        const withoutValue = evaluate(current, 1, user, ABSENT, options, 1);
        const withValue = evaluate(current, 1, user, held, options, 1);
        expect(withoutValue.judgeAtReadPosition).toBe(withValue.events.some((event) => event.type === 'StickyValueDeleted'));
        expect(withValue.judgeAtReadPosition).toBe(false);
      }),
    );
  });
});
