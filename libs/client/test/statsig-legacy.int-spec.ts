import { StatsigServer, type StatsigUser } from 'statsig-node';
import { StatsigLegacyLedgerStorage } from '@assignment-ledger/client/statsig-legacy';
import { callsBetween, type LedgerUnderTest, startLedgerUnderTest } from './ledger-under-test';

const EXPERIMENT = 'checkout_button';

/**
 * The legacy SDK's config specs (v1: arrays of specs with inline conditions), the same experiment as for the core
 * SDK: a targeting gate (country NZ) and two groups split on a user bucket (`user-42` is in Control).
 */
function legacyConfigSpecs({ isActive = true, everyoneInTest = false } = {}) {
  const bucket = (targetValue: number) => ({ type: 'user_bucket', targetValue, operator: 'lt', field: null, additionalValues: { salt: 's' }, idType: 'userID' });
  const group = (name: string, below: number, color: string) => ({
    name,
    id: name,
    groupName: name,
    salt: name,
    passPercentage: 100,
    conditions: [bucket(below)],
    returnValue: { color },
    idType: 'userID',
    isExperimentGroup: true,
  });
  return {
    has_updates: true,
    time: 1_700_000_000_000,
    feature_gates: [
      {
        name: 'nz_only',
        type: 'feature_gate',
        entity: 'feature_gate',
        salt: 'nz_only',
        enabled: true,
        defaultValue: false,
        idType: 'userID',
        rules: [
          {
            name: 'nz',
            id: 'nz',
            salt: 'nz',
            passPercentage: 100,
            returnValue: true,
            idType: 'userID',
            conditions: [{ type: 'user_field', targetValue: ['NZ'], operator: 'any', field: 'country', additionalValues: {}, idType: 'userID' }],
          },
        ],
      },
    ],
    dynamic_configs: [
      {
        name: EXPERIMENT,
        type: 'dynamic_config',
        entity: 'experiment',
        salt: 's',
        enabled: true,
        defaultValue: { color: 'grey' },
        idType: 'userID',
        isActive,
        rules: [
          {
            name: 'targetingGate',
            id: 'targetingGate',
            salt: '',
            passPercentage: 100,
            returnValue: { color: 'grey' },
            idType: 'userID',
            conditions: [{ type: 'fail_gate', targetValue: 'nz_only', operator: null, field: null, additionalValues: {}, idType: 'userID' }],
          },
          group('Control', everyoneInTest ? 0 : 500, 'blue'),
          group('Test', 1000, 'green'),
        ],
      },
    ],
    layer_configs: [],
    layers: {},
  };
}

describe('statsig-node 6 (legacy) on the ledger', () => {
  let ledger: LedgerUnderTest;
  const errors: unknown[] = [];
  const servers: StatsigServer[] = [];
  const server = async (specs: Parameters<typeof legacyConfigSpecs>[0] = {}) => {
    const storage = new StatsigLegacyLedgerStorage(ledger.client(), { onError: (error) => errors.push(error) });
    const statsig = new StatsigServer('secret-legacy-test', { localMode: true, bootstrapValues: JSON.stringify(legacyConfigSpecs(specs)), userPersistentStorage: storage });
    await statsig.initializeAsync();
    servers.push(statsig);
    return { storage, statsig };
  };
  const nz = (userID: string): StatsigUser => ({ userID, country: 'NZ' });

  beforeAll(async () => {
    ledger = await startLedgerUnderTest('client-statsig-legacy');
  });

  afterEach(() => expect(errors).toEqual([]));

  afterAll(async () => {
    for (const statsig of servers) statsig.shutdown();
    await ledger?.close();
  });

  it('keeps a user in the first group after a change of allocation would give it the other group', async () => {
    const first = await server();
    const user = nz('user-42');
    expect(first.statsig.getExperimentSync(user, EXPERIMENT, { userPersistedValues: await first.storage.getUserPersistedValues(user, 'userID') }).getGroupName()).toBe('Control');
    expect((await ledger.heldGroup('user-42:userID', EXPERIMENT, 'Control'))[EXPERIMENT]).toMatchObject({ json_value: { color: 'blue' }, value: true });

    const later = await server({ everyoneInTest: true });
    expect(later.statsig.getExperimentSync(user, EXPERIMENT, { userPersistedValues: {} }).getGroupName()).toBe('Test');
    const kept = later.statsig.getExperimentSync(user, EXPERIMENT, { userPersistedValues: await later.storage.getUserPersistedValues(user, 'userID') });
    expect(kept.getGroupName()).toBe('Control');
    expect(kept.getEvaluationDetails()?.reason).toBe('Persisted');
  });

  it('deletes the sticky value on a call without persisted values, and when the experiment is no longer active', async () => {
    const { storage, statsig } = await server();
    for (const id of ['legacy-no-values', 'legacy-inactive']) statsig.getExperimentSync(nz(id), EXPERIMENT, { userPersistedValues: await storage.getUserPersistedValues(nz(id), 'userID') });
    await storage.flush();
    statsig.getExperimentSync(nz('legacy-no-values'), EXPERIMENT);
    expect(await ledger.heldGroup('legacy-no-values:userID', EXPERIMENT, undefined)).toEqual({});

    expect(Object.keys(await ledger.client().load('legacy-inactive:userID'))).toEqual([EXPERIMENT]);
    const inactive = await server({ isActive: false });
    inactive.statsig.getExperimentSync(nz('legacy-inactive'), EXPERIMENT, { userPersistedValues: await inactive.storage.getUserPersistedValues(nz('legacy-inactive'), 'userID') });
    expect(await ledger.heldGroup('legacy-inactive:userID', EXPERIMENT, undefined)).toEqual({});
  });

  it('re-checks targeting with enforceTargeting, keeping the sticky value', async () => {
    const { storage, statsig } = await server();
    const group = statsig.getExperimentSync(nz('legacy-moved'), EXPERIMENT, { userPersistedValues: await storage.getUserPersistedValues(nz('legacy-moved'), 'userID') }).getGroupName()!;
    await ledger.heldGroup('legacy-moved:userID', EXPERIMENT, group);
    const abroad = { userID: 'legacy-moved', country: 'US' };
    const persisted = await storage.getUserPersistedValues(abroad, 'userID');
    expect(statsig.getExperimentSync(abroad, EXPERIMENT, { userPersistedValues: persisted }).getGroupName()).toBe(group);
    expect(statsig.getExperimentSync(abroad, EXPERIMENT, { userPersistedValues: persisted, persistentAssignmentOptions: { enforceTargeting: true } }).getGroupName()).toBeNull();
    await storage.flush();
    await ledger.heldGroup('legacy-moved:userID', EXPERIMENT, group);
  });

  it('costs one batch-load per request for its users, whatever the number of evaluations', async () => {
    const { storage, statsig } = await server();
    const users = ['legacy-count-0', 'legacy-count-1', 'legacy-count-2'].map(nz);
    const request = async () => {
      const persisted = await Promise.all(users.map((user) => storage.getUserPersistedValues(user, 'userID')));
      users.forEach((user, index) => {
        for (let evaluation = 0; evaluation < 5; evaluation++) statsig.getExperimentSync(user, EXPERIMENT, { userPersistedValues: persisted[index] });
      });
      await storage.flush();
    };
    const before = await ledger.callsReceived();
    await request();
    const afterFirst = await ledger.callsReceived();
    await request();
    expect(callsBetween(before, afterFirst)).toEqual({ 'http POST /v1/persisted/batch-load': 1, 'http PUT /v1/persisted/:key/:configName': 3 });
    expect(callsBetween(afterFirst, await ledger.callsReceived())).toEqual({ 'http POST /v1/persisted/batch-load': 1 });
  });
});
