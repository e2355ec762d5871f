import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Statsig, StatsigUser, type PersistentStorage } from '@statsig/statsig-node-core';
import { checkoutButtonSpec, eventually } from '@ledger/testing';
import { type LedgerClient } from '@assignment-ledger/client';
import { StatsigLedgerStorage } from '@assignment-ledger/client/statsig';
import { callsBetween, type LedgerUnderTest, startLedgerUnderTest } from './ledger-under-test';
import { STATSIG_EXPERIMENT, statsigConfigSpecs, type StatsigSpecOptions } from './statsig-config-specs';

/** Statsig's server core, offline: no network, the config specs from a data store, persistence on the ledger. */
async function statsigOffline(storage: PersistentStorage, specs: StatsigSpecOptions = {}): Promise<Statsig> {
  const payload = JSON.stringify(statsigConfigSpecs(specs));
  const statsig = new Statsig('secret-ledger-test', {
    disableNetwork: true,
    outputLogLevel: 'none',
    dataStore: { initialize: async () => {}, shutdown: async () => {}, get: async () => ({ result: payload, time: Date.now() }) },
    persistentStorage: storage,
  });
  await statsig.initialize();
  return statsig;
}

const nz = (userID: string) => new StatsigUser({ userID, country: 'NZ' });

describe('Statsig server core (@statsig/statsig-node-core) on the ledger', () => {
  let ledger: LedgerUnderTest;
  let client: LedgerClient;
  const started: Statsig[] = [];
  const errors: unknown[] = [];
  /** A server: its own SDK instance with the given config, and its own adapter and client. */
  const server = async (specs: StatsigSpecOptions = {}) => {
    const storage = new StatsigLedgerStorage(ledger.client(), { onError: (error) => errors.push(error) });
    const statsig = await statsigOffline(storage, specs);
    started.push(statsig);
    return { storage, statsig };
  };

  beforeAll(async () => {
    ledger = await startLedgerUnderTest('client-statsig');
    client = ledger.client();
  });

  afterEach(() => expect(errors).toEqual([]));

  afterAll(async () => {
    for (const statsig of started) await statsig.shutdown();
    started.length = 0;
    // The binding holds a thread-safe function per JS callback until its instance is collected, and jest does not
    // exit while one is held: collect the instances now that nothing refers to them.
    setFlagsFromString('--expose_gc');
    const collectGarbage = runInNewContext('gc') as () => void;
    collectGarbage();
    await ledger?.close();
    collectGarbage();
  });

  it('keeps a user in the first group after a change of allocation would give it the other group', async () => {
    const first = await server();
    const user = nz('user-42');
    expect(first.statsig.getExperiment(user, STATSIG_EXPERIMENT, { userPersistedValues: await first.storage.getUserPersistedValues(user, 'userID') })).toMatchObject({
      groupName: 'Control',
      value: { color: 'blue' },
    });
    expect((await ledger.heldGroup('user-42:userID', STATSIG_EXPERIMENT, 'Control'))[STATSIG_EXPERIMENT]).toMatchObject({ json_value: { color: 'blue' }, config_version: 5, value: true });

    // Another server, after the change: live, the user would be in Test now (empty values: nothing is deleted).
    const later = await server({ everyoneInTest: true });
    expect(later.statsig.getExperiment(user, STATSIG_EXPERIMENT, { userPersistedValues: {} }).groupName).toBe('Test');
    const kept = later.statsig.getExperiment(user, STATSIG_EXPERIMENT, { userPersistedValues: await later.storage.getUserPersistedValues(user, 'userID') });
    expect(kept).toMatchObject({ groupName: 'Control', value: { color: 'blue' }, details: { reason: 'Persisted' } });
    await later.storage.flush();
    await ledger.heldGroup('user-42:userID', STATSIG_EXPERIMENT, 'Control');
  });

  it('records the saves and deletes as made by the SDK adapter (cause sdk_adapter)', async () => {
    const { storage, statsig } = await server();
    const user = nz('cause-1');
    const group = statsig.getExperiment(user, STATSIG_EXPERIMENT, { userPersistedValues: await storage.getUserPersistedValues(user, 'userID') }).groupName!;
    await ledger.heldGroup('cause-1:userID', STATSIG_EXPERIMENT, group);
    statsig.getExperiment(user, STATSIG_EXPERIMENT);
    await ledger.heldGroup('cause-1:userID', STATSIG_EXPERIMENT, undefined);
    const events = await ledger.eventsAbout('cause-1:userID', 2);
    expect(events.map((event) => [event.type, event.metadata.cause.source])).toEqual([
      ['StickyValueSaved', 'sdk_adapter'],
      ['StickyValueDeleted', 'sdk_adapter'],
    ]);
  });

  it('deletes the sticky value on a call without persisted values', async () => {
    const { storage, statsig } = await server();
    const user = nz('no-values-1');
    const group = statsig.getExperiment(user, STATSIG_EXPERIMENT, { userPersistedValues: await storage.getUserPersistedValues(user, 'userID') }).groupName!;
    await ledger.heldGroup('no-values-1:userID', STATSIG_EXPERIMENT, group);
    statsig.getExperiment(user, STATSIG_EXPERIMENT);
    expect(await ledger.heldGroup('no-values-1:userID', STATSIG_EXPERIMENT, undefined)).toEqual({});
  });

  it('deletes the sticky value when the experiment is no longer active', async () => {
    const active = await server();
    const user = nz('inactive-1');
    const group = active.statsig.getExperiment(user, STATSIG_EXPERIMENT, { userPersistedValues: await active.storage.getUserPersistedValues(user, 'userID') }).groupName!;
    await ledger.heldGroup('inactive-1:userID', STATSIG_EXPERIMENT, group);
    const inactive = await server({ isActive: false });
    const evaluated = inactive.statsig.getExperiment(user, STATSIG_EXPERIMENT, { userPersistedValues: await inactive.storage.getUserPersistedValues(user, 'userID') });
    expect(evaluated.details.reason).not.toBe('Persisted');
    expect(await ledger.heldGroup('inactive-1:userID', STATSIG_EXPERIMENT, undefined)).toEqual({});
  });

  it('re-checks targeting with enforceTargeting, and keeps the sticky value for when the user passes again', async () => {
    const { storage, statsig } = await server();
    const group = statsig.getExperiment(nz('moved-1'), STATSIG_EXPERIMENT, { userPersistedValues: await storage.getUserPersistedValues(nz('moved-1'), 'userID') }).groupName!;
    await ledger.heldGroup('moved-1:userID', STATSIG_EXPERIMENT, group);
    const abroad = new StatsigUser({ userID: 'moved-1', country: 'US' });
    const persisted = await storage.getUserPersistedValues(abroad, 'userID');
    expect(statsig.getExperiment(abroad, STATSIG_EXPERIMENT, { userPersistedValues: persisted }).details.reason).toBe('Persisted');
    const enforced = statsig.getExperiment(abroad, STATSIG_EXPERIMENT, { userPersistedValues: persisted, enforceTargeting: true });
    expect(enforced.groupName).toBeNull();
    expect(enforced.value).toEqual({ color: 'grey' });
    await storage.flush();
    await ledger.heldGroup('moved-1:userID', STATSIG_EXPERIMENT, group);
    expect(statsig.getExperiment(nz('moved-1'), STATSIG_EXPERIMENT, { userPersistedValues: await storage.getUserPersistedValues(nz('moved-1'), 'userID'), enforceTargeting: true }).groupName).toBe(
      group,
    );
  });

  it('survives the binding delivering saves before deletes: evaluated without, then with, persisted values in one tick, the user ends up sticky', async () => {
    // The hazard itself, on the real binding, so this test notices if a release changes it.
    const delivered: string[] = [];
    const recorder = await statsigOffline({ load: () => null, save: (key) => delivered.push(`save ${key}`), delete: (key) => delivered.push(`delete ${key}`) });
    started.push(recorder);
    recorder.getExperiment(nz('order-0'), STATSIG_EXPERIMENT);
    recorder.getExperiment(nz('order-0'), STATSIG_EXPERIMENT, { userPersistedValues: {} });
    await eventually(async () => (delivered.length === 2 ? true : undefined), { what: 'both callbacks' });
    expect(delivered).toEqual(['save order-0:userID', 'delete order-0:userID']);

    const { storage, statsig } = await server();
    const users = ['tick-0', 'tick-1', 'tick-2', 'tick-3', 'tick-4', 'tick-5'].map(nz);
    const persisted = await Promise.all(users.map((user) => storage.getUserPersistedValues(user, 'userID')));
    users.forEach((user, index) => {
      statsig.getExperiment(user, STATSIG_EXPERIMENT);
      statsig.getExperiment(user, STATSIG_EXPERIMENT, { userPersistedValues: persisted[index] });
    });
    await eventually(
      async () => {
        await storage.flush();
        const loaded = await client.loadMany(users.map((user) => `${user.userID}:userID`));
        return [...loaded.values()].every((values) => values[STATSIG_EXPERIMENT]?.value === true) ? loaded : undefined;
      },
      { what: 'every user sticky', timeoutMs: 5000 },
    );
  });

  it('sees a unit assigned through the evaluation RPC with the same group', async () => {
    // The ledger's own experiment of the same name: test-123 is in Test there; Statsig's config would put it in Control.
    await ledger.client().publishExperiment(STATSIG_EXPERIMENT, checkoutButtonSpec() as never);
    const assigned = await client.evaluate(STATSIG_EXPERIMENT, { userID: 'test-123', country: 'NZ' });
    expect(assigned).toMatchObject({ groupName: 'Test', reason: 'Evaluated' });
    const { storage, statsig } = await server();
    const user = nz('test-123');
    expect(statsig.getExperiment(user, STATSIG_EXPERIMENT, { userPersistedValues: {} }).groupName).toBe('Control');
    const seen = statsig.getExperiment(user, STATSIG_EXPERIMENT, { userPersistedValues: await storage.getUserPersistedValues(user, 'userID') });
    expect(seen).toMatchObject({ groupName: 'Test', value: { color: 'green' }, details: { reason: 'Persisted' } });
  });

  it('costs one ledger call per request for all its users, whatever the number of experiments, once they are sticky', async () => {
    const { storage, statsig } = await server();
    const users = ['count-0', 'count-1', 'count-2', 'count-3'].map(nz);
    const request = async () => {
      const persisted = await Promise.all(users.map((user) => storage.getUserPersistedValues(user, 'userID')));
      users.forEach((user, index) => {
        for (let evaluation = 0; evaluation < 5; evaluation++) statsig.getExperiment(user, STATSIG_EXPERIMENT, { userPersistedValues: persisted[index] });
      });
      await storage.flush();
    };
    const groups = new Map<string, string>();
    const persistedGroup = (user: StatsigUser) => {
      if (!groups.has(user.userID!)) groups.set(user.userID!, statsig.getExperiment(user, STATSIG_EXPERIMENT, { userPersistedValues: {} }).groupName!);
      return groups.get(user.userID!)!;
    };
    const before = await ledger.callsReceived();
    await request();
    // The binding hands the saves over when it gets to them: wait for the fourth to arrive, then count.
    const afterFirst = await eventually(async () => {
      const calls = await ledger.callsReceived();
      return (callsBetween(before, calls)['http PUT /v1/persisted/:key/:configName'] ?? 0) >= 4 ? calls : undefined;
    });
    for (const user of users) await ledger.heldGroup(`${user.userID}:userID`, STATSIG_EXPERIMENT, persistedGroup(user));
    const beforeSecond = await ledger.callsReceived();
    await request();
    const afterSecond = await ledger.callsReceived();
    // Four users, five evaluations each: one batch-load for the request, and a save per user on its first evaluation.
    expect(callsBetween(before, afterFirst)).toEqual({ 'http POST /v1/persisted/batch-load': 1, 'http PUT /v1/persisted/:key/:configName': 4 });
    expect(callsBetween(beforeSecond, afterSecond)).toEqual({ 'http POST /v1/persisted/batch-load': 1 });
  });
});
