import fc from 'fast-check';
import { decideAssignment, type StickyAssignment } from './assignment.decide';
import { validateExperimentSpec } from './experiment-spec';
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

describe('assignment decisions (properties)', () => {
  it('are deterministic', () => {
    fc.assert(fc.property(specArbitrary, userArbitrary, (spec, user) => expect(decideAssignment(spec, 1, user, null, persistent, 5)).toEqual(decideAssignment(spec, 1, user, null, persistent, 5))));
  });

  it('keep a user in the group first saved, under any later spec change while the experiment is active', () => {
    fc.assert(
      fc.property(specArbitrary, specArbitrary, userArbitrary, userArbitrary, (first, later, user, laterUser) => {
        const firstDecision = decideAssignment(first, 1, user, null, persistent, 5);
        const save = firstDecision.commands.find((command) => command.type === 'SaveStickyValue');
        fc.pre(save !== undefined && save.type === 'SaveStickyValue');
        const sticky: StickyAssignment = { stickyValues: save.stickyValues, bucketVersion: first.bucketVersion };
        const again = decideAssignment({ ...later, minBucketVersion: 0 }, 2, { ...laterUser, userID: user.userID }, sticky, persistent, 6);
        expect(again.result).toMatchObject({ reason: 'Persisted', groupName: firstDecision.result.groupName });
        expect(again.commands).toEqual([]);
      }),
    );
  });

  it('let the first save in the log win when two servers race on a first evaluation', () => {
    fc.assert(
      fc.property(specArbitrary, specArbitrary, userArbitrary, (specA, specB, user) => {
        const saves = [decideAssignment(specA, 1, user, null, persistent, 1), decideAssignment(specB, 2, user, null, persistent, 2)]
          .flatMap((decision) => decision.commands)
          .filter((command) => command.type === 'SaveStickyValue');
        fc.pre(saves.length === 2);
        let state: StickyState = ABSENT;
        for (const [index, save] of saves.entries()) {
          if (save.type !== 'SaveStickyValue') continue;
          state = evolve(state, {
            type: 'StickyValueSaved',
            version: 2,
            data: { persistenceKey: save.persistenceKey, configName: 'exp', stickyValues: save.stickyValues },
            metadata: { eventId: `00000000-0000-4000-8000-00000000000${index}`, occurredAt: '2026-11-25T00:00:00Z', cause: { source: 'evaluation', apiKeyId: null, requestId: 'c' } },
          }).state;
        }
        expect(state.kind === 'held' && state.stickyValues).toEqual(saves[0]!.type === 'SaveStickyValue' && saves[0]!.stickyValues);
      }),
    );
  });

  it('say a held value would be deleted exactly when, with one held, they delete it', () => {
    const held: StickyAssignment = {
      bucketVersion: 3,
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
        const withoutValue = decideAssignment(current, 1, user, null, options, 1);
        const withValue = decideAssignment(current, 1, user, held, options, 1);
        expect(withoutValue.deletesHeldValue).toBe(withValue.commands.some((command) => command.type === 'DeleteStickyValue'));
      }),
    );
  });
});
