import { createInstance, createStaticProjectConfigManager, type Client } from '@optimizely/optimizely-sdk';
import { LedgerUserProfileService } from '@assignment-ledger/client/optimizely';
import { callsBetween, type LedgerUnderTest, startLedgerUnderTest } from './ledger-under-test';
import { CONTROL, datafile, TREATMENT } from './optimizely-datafile';

const halfAndHalf = [
  { entityId: CONTROL, endOfRange: 5000 },
  { entityId: TREATMENT, endOfRange: 10000 },
];

describe('Optimizely (@optimizely/optimizely-sdk 6) on the ledger', () => {
  let ledger: LedgerUnderTest;
  const errors: unknown[] = [];
  const clients: Client[] = [];
  const optimizely = async (allocation: { entityId: string; endOfRange: number }[], profiles: Partial<Parameters<typeof createInstance>[0]>) => {
    const client = createInstance({ projectConfigManager: createStaticProjectConfigManager({ datafile: JSON.stringify(datafile(allocation)) }), ...profiles });
    clients.push(client);
    await client.onReady();
    return client;
  };
  const service = () => new LedgerUserProfileService(ledger.client(), { onError: (error) => errors.push(error) });

  beforeAll(async () => {
    ledger = await startLedgerUnderTest('client-optimizely');
  });

  afterEach(() => expect(errors).toEqual([]));

  afterAll(async () => {
    for (const client of clients) await client.close();
    await ledger?.close();
  });

  it('keeps a user in the first variation after the allocation moves everyone to the other one (synchronous lookup, prefetched)', async () => {
    const profiles = service();
    const first = await optimizely(halfAndHalf, { userProfileService: profiles });
    await profiles.prefetch('opt-user-1');
    const variation = first.createUserContext('opt-user-1')!.decide('checkout_flag').variationKey;
    expect(['control', 'treatment']).toContain(variation);
    const variationId = variation === 'control' ? CONTROL : TREATMENT;
    await profiles.flush();
    expect((await ledger.heldGroup('opt-user-1:userID', '1001', variationId))['1001']).toMatchObject({ value: true, group_name: variationId });

    const everyoneElsewhere = [{ entityId: variation === 'control' ? TREATMENT : CONTROL, endOfRange: 10000 }];
    const withoutProfiles = await optimizely(everyoneElsewhere, {});
    expect(withoutProfiles.createUserContext('opt-user-1')!.decide('checkout_flag').variationKey).not.toBe(variation);
    const laterProfiles = service();
    const later = await optimizely(everyoneElsewhere, { userProfileService: laterProfiles });
    await laterProfiles.prefetch('opt-user-1');
    expect(later.createUserContext('opt-user-1')!.decide('checkout_flag').variationKey).toBe(variation);
  });

  it('keeps the first variation through the asynchronous service and decideAsync, one load per decision', async () => {
    const profiles = service();
    const first = await optimizely(halfAndHalf, { userProfileServiceAsync: profiles.async });
    const variation = (await first.createUserContext('opt-async-1')!.decideAsync('checkout_flag')).variationKey;
    const variationId = variation === 'control' ? CONTROL : TREATMENT;
    await ledger.heldGroup('opt-async-1:userID', '1001', variationId);

    const later = await optimizely([{ entityId: variation === 'control' ? TREATMENT : CONTROL, endOfRange: 10000 }], { userProfileServiceAsync: service().async });
    const before = await ledger.callsReceived();
    expect((await later.createUserContext('opt-async-1')!.decideAsync('checkout_flag')).variationKey).toBe(variation);
    expect(callsBetween(before, await ledger.callsReceived())).toEqual({ 'http POST /v1/persisted/batch-load': 1 });
  });

  it('costs one batch-load per request for its users, and one save per new assignment', async () => {
    const profiles = service();
    const client = await optimizely(halfAndHalf, { userProfileService: profiles });
    const users = ['opt-count-0', 'opt-count-1', 'opt-count-2'];
    const request = async () => {
      await Promise.all(users.map((id) => profiles.prefetch(id)));
      for (const id of users) for (let decision = 0; decision < 3; decision++) client.createUserContext(id)!.decide('checkout_flag');
      await profiles.flush();
    };
    const before = await ledger.callsReceived();
    await request();
    const afterFirst = await ledger.callsReceived();
    await request();
    expect(callsBetween(before, afterFirst)).toEqual({ 'http POST /v1/persisted/batch-load': 1, 'http PUT /v1/persisted/:key/:configName': 3 });
    expect(callsBetween(afterFirst, await ledger.callsReceived())).toEqual({ 'http POST /v1/persisted/batch-load': 1 });
  });
});
