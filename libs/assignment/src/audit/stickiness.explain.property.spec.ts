import fc from 'fast-check';
import { type DeleteReason, type LedgerEvent } from '@ledger/events';
import { foldEvents } from '../sticky-state.evolve';
import { currentSpec, deleted, erased, saved } from './audit-history.fixture';
import { auditTrail, auditTrailPage, type AuditedEvent } from './audit-trail.evolve';
import { type CurrentExperiment, explainStickiness } from './stickiness.explain';

const START = Date.parse('2026-03-01T00:00:00.000Z');
const REASONS: DeleteReason[] = ['persisted_values_not_provided', 'experiment_inactive', 'bucket_version_retired', 'explicit'];

/** A unit's history over two experiments: saves (evaluated or SDK-made), deletes and the odd erasure, a few seconds apart. */
const historyArbitrary: fc.Arbitrary<AuditedEvent[]> = fc
  .array(
    fc.record({
      kind: fc.constantFrom('save', 'save', 'sdk-save', 'delete', 'erase'),
      experiment: fc.constantFrom('checkout_button', 'other'),
      group: fc.constantFrom('Control', 'Test'),
      reason: fc.constantFrom(...REASONS),
      gap: fc.integer({ min: 0, max: 5_000 }),
    }),
    { maxLength: 25 },
  )
  .map((steps) => {
    let time = START;
    return steps.map(({ kind, experiment, group, reason, gap }, index): AuditedEvent => {
      time += gap;
      const at = new Date(time).toISOString();
      const eventId = `e${index}`;
      if (kind === 'erase') return erased({ eventId, at });
      if (kind === 'delete') return deleted({ eventId, at, reason, experiment });
      return saved({ eventId, at, group, experiment, ...(kind === 'sdk-save' ? { assignment: null } : {}) });
    });
  });

const asOfArbitrary = fc.integer({ min: -10_000, max: 150_000 }).map((offset) => new Date(START + offset).toISOString());
const currentArbitrary = fc.option(
  fc.record({ allocationPercent: fc.constantFrom(0, 10, 100), status: fc.constantFrom('active', 'inactive'), minBucketVersion: fc.constantFrom(0, 2) }).map((overrides) => ({
    spec: currentSpec({ ...overrides, bucketVersion: 2 }),
    version: 5,
  })),
);

const explainAt = (history: AuditedEvent[], current: CurrentExperiment | null, asOf: string) => explainStickiness({ key: 'test-123:userID', experiment: 'checkout_button', history, current, asOf });

describe('explaining stickiness (properties)', () => {
  it('sticky exactly when the fold of the experiment since the last erasure, up to asOf, holds a value; then since and group are that value', () => {
    fc.assert(
      fc.property(historyArbitrary, currentArbitrary, asOfArbitrary, (history, current, asOf) => {
        const upTo = history.filter((event) => Date.parse(event.metadata.occurredAt) <= Date.parse(asOf));
        const lastErasure = upTo.findLastIndex((event) => event.type === 'UnitErased');
        const own = upTo.slice(lastErasure + 1).filter((event): event is LedgerEvent => event.type !== 'UnitErased' && event.data.configName === 'checkout_button');
        const state = foldEvents(own);
        const explanation = explainAt(history, current, asOf);
        expect(explanation.sticky).toBe(state.kind === 'held');
        expect(explanation.since).toBe(state.kind === 'held' ? state.savedAt : null);
        expect(explanation.group).toBe(state.kind === 'held' ? state.stickyValues.group_name : null);
      }),
    );
  });

  it('always renders one non-empty sentence from its facts', () => {
    fc.assert(
      fc.property(historyArbitrary, currentArbitrary, asOfArbitrary, (history, current, asOf) => {
        const { explanation, because } = explainAt(history, current, asOf);
        expect(explanation).toMatch(/^test-123 .+\.$/);
        expect(explanation).not.toMatch(/undefined|NaN|Invalid Date/);
        expect(because.length).toBeGreaterThan(0);
      }),
    );
  });

  it('before the first event, a unit has never been evaluated', () => {
    fc.assert(
      fc.property(historyArbitrary, currentArbitrary, fc.integer({ min: 1, max: 100_000 }), (history, current, before) => {
        const explanation = explainAt(history, current, new Date(START - before).toISOString());
        expect(explanation.sticky).toBe(false);
        expect(explanation.because[0]).toMatchObject({ fact: 'NeverEvaluated' });
      }),
    );
  });

  it('the audit trail has one entry per event since the last erasure (plus the erasure), with the outcomes of evolve', () => {
    fc.assert(
      fc.property(historyArbitrary, (history) => {
        const lastErasure = history.findLastIndex((event) => event.type === 'UnitErased');
        const trail = auditTrail(history);
        expect(trail.length).toBe(history.length - Math.max(lastErasure, 0));
        const effective = trail.filter((entry) => entry.outcome === 'saved' || entry.outcome === 'deleted');
        // Held and absent alternate per experiment: a take-effect save is never followed by another without a delete between.
        for (const experiment of ['checkout_button', 'other']) {
          const outcomes = effective.filter((entry) => entry.type !== 'UnitErased' && entry.experiment === experiment).map((entry) => entry.outcome);
          outcomes.forEach((outcome, index) => expect(outcome).toBe(index % 2 === 0 ? 'saved' : 'deleted'));
        }
      }),
    );
  });

  it('a later page of the trail, given only the saves holding each value where it begins, is that part of the whole trail', () => {
    fc.assert(
      fc.property(historyArbitrary, fc.nat(), (withErasures, at) => {
        // As the read model holds it: saves and deletes.
        const history = withErasures.filter((event) => event.type !== 'UnitErased');
        const start = history.length === 0 ? 0 : at % (history.length + 1);
        const whole = auditTrail(history);
        // Per experiment, the last entry before the page that took effect, when it is a save.
        const lastEffective = new Map<string, (typeof whole)[number]>();
        for (const entry of whole.slice(0, start)) if (entry.type !== 'UnitErased' && (entry.outcome === 'saved' || entry.outcome === 'deleted')) lastEffective.set(entry.experiment, entry);
        const heldIds = new Set([...lastEffective.values()].filter((entry) => entry.outcome === 'saved').map((entry) => entry.eventId));
        const heldBefore = history.slice(0, start).filter((event) => heldIds.has(event.metadata.eventId));
        expect(auditTrailPage(heldBefore, history.slice(start))).toEqual(whole.slice(start));
      }),
    );
  });
});
