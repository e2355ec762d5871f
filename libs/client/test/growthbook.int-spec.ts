import { GrowthBook } from '@growthbook/growthbook';
import { eventually } from '@ledger/testing';
import { LedgerStickyBucketService } from '@assignment-ledger/client/growthbook';
import { callsBetween, type LedgerUnderTest, startLedgerUnderTest } from './ledger-under-test';

/** A feature backed by one experiment, as GrowthBook's payload states it; no apiHost, so GrowthBook fetches nothing. */
const payload = (experiments: { key: string; weights: number[]; coverage?: number }[]) => ({
  features: Object.fromEntries(
    experiments.map(({ key, weights, coverage = 1 }) => [
      `${key}-feature`,
      {
        defaultValue: 'off',
        rules: [{ key, seed: key, hashAttribute: 'id', hashVersion: 2, bucketVersion: 0, variations: ['control', 'treatment'], meta: [{ key: 'control' }, { key: 'treatment' }], weights, coverage }],
      },
    ]),
  ),
});

describe('GrowthBook (@growthbook/growthbook) on the ledger', () => {
  let ledger: LedgerUnderTest;
  const errors: unknown[] = [];
  const service = () => new LedgerStickyBucketService(ledger.client(), { onError: (error) => errors.push(error) });
  const growthbook = async (id: string, stickyBucketService: LedgerStickyBucketService, features: ReturnType<typeof payload>) => {
    const gb = new GrowthBook({ attributes: { id }, stickyBucketService });
    await gb.init({ payload: features });
    return gb;
  };

  beforeAll(async () => {
    ledger = await startLedgerUnderTest('client-growthbook');
  });

  afterEach(() => expect(errors).toEqual([]));

  afterAll(async () => {
    await ledger?.close();
  });

  it('keeps a user in the first variation after the weights send everyone to the other one', async () => {
    const first = await growthbook('gb-user-1', service(), payload([{ key: 'checkout', weights: [0.5, 0.5] }]));
    const assigned = first.evalFeature('checkout-feature');
    expect(assigned.source).toBe('experiment');
    const variation = assigned.value as string;
    expect((await ledger.heldGroup('gb-user-1:id', 'checkout__0', variation))['checkout__0']).toMatchObject({ value: true, group_name: variation });

    const otherWeights = variation === 'control' ? [0, 1] : [1, 0];
    const live = await growthbook('gb-user-1', new LedgerStickyBucketService(ledger.client()), payload([{ key: 'checkout', weights: otherWeights }]));
    // Without the ledger's document, the user would now get the other variation.
    const withoutSticky = new GrowthBook({ attributes: { id: 'gb-user-1' } });
    await withoutSticky.init({ payload: payload([{ key: 'checkout', weights: otherWeights }]) });
    expect(withoutSticky.evalFeature('checkout-feature').value).not.toBe(variation);
    const kept = live.evalFeature('checkout-feature');
    expect(kept.value).toBe(variation);
    expect(kept.experimentResult?.stickyBucketUsed).toBe(true);
  });

  it('costs one batch-load per request and one save per new assignment, whatever the number of experiments', async () => {
    const features = payload(['one', 'two', 'three'].map((key) => ({ key, weights: [0.5, 0.5] })));
    const users = ['gb-count-0', 'gb-count-1'];
    const request = async () => {
      const sticky = service();
      const instances = await Promise.all(users.map((id) => growthbook(id, sticky, features)));
      for (const gb of instances) for (const key of ['one', 'two', 'three']) gb.evalFeature(`${key}-feature`);
      return instances;
    };
    const before = await ledger.callsReceived();
    await request();
    const afterFirst = await eventuallyCalls(before, 'http PUT /v1/persisted/:key/:configName', 6);
    // Two users' GrowthBook instances initialised in one tick share one batch-load; each new assignment is one save.
    expect(callsBetween(before, afterFirst)).toEqual({ 'http POST /v1/persisted/batch-load': 1, 'http PUT /v1/persisted/:key/:configName': 6 });
    const beforeSecond = await ledger.callsReceived();
    const again = await request();
    expect(again.every((gb) => gb.evalFeature('one-feature').experimentResult?.stickyBucketUsed)).toBe(true);
    expect(callsBetween(beforeSecond, await ledger.callsReceived())).toEqual({ 'http POST /v1/persisted/batch-load': 1 });
  });

  const eventuallyCalls = (before: Record<string, number>, route: string, count: number) =>
    eventually(async () => {
      const calls = await ledger.callsReceived();
      return (callsBetween(before, calls)[route] ?? 0) >= count ? calls : undefined;
    });
});
