import { GrowthBook, RedisStickyBucketService, StickyBucketService, type StickyAssignmentsDocument } from '@growthbook/growthbook';
import { createInstance, createStaticProjectConfigManager, type UserProfile, type UserProfileServiceAsync } from '@optimizely/optimizely-sdk';
import { Statsig, StatsigUser, type PersistentStorage, type UserPersistedValues } from '@statsig/statsig-node-core';
import Redis from 'ioredis';
import { createTestEnvironment, killLeftoverServices, spawnService } from '@ledger/testing';
import { LedgerClient } from '@assignment-ledger/client';
import { LedgerStickyBucketService } from '@assignment-ledger/client/growthbook';
import { LedgerUserProfileService } from '@assignment-ledger/client/optimizely';
import { StatsigLedgerStorage } from '@assignment-ledger/client/statsig';
import { CONTROL, datafile, TREATMENT } from '../libs/client/test/optimizely-datafile';
import { statsigConfigSpecs, STATSIG_EXPERIMENT } from '../libs/client/test/statsig-config-specs';
import { atConstantRate, type ConstantRateResult } from './constant-rate';

const RATE = Number(process.env.BENCH_SDK_RATE ?? 300);
const SECONDS = Number(process.env.BENCH_SDK_SECONDS ?? 10);
const USERS = 500;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** One SDK's per-request cost, the same experiment on each store: in memory (the floor), the ledger, Redis. */
export interface StoreLatencies {
  inMemory: ConstantRateResult;
  ledger: ConstantRateResult;
  redis: ConstantRateResult;
  /** The ledger adapter's p99 over the Redis store's. */
  ledgerOverRedisP99: number;
}
export type SdkStorageLatency = Record<'statsig' | 'growthbook' | 'optimizely', StoreLatencies>;

/** What one user's request costs the application: load its persisted values, evaluate the experiment. */
type Request = (user: string) => Promise<unknown>;
type Store = 'inMemory' | 'ledger' | 'redis';

/**
 * Per-evaluation cost as the application sees it, at a fixed rate of users a second (an open loop), for each SDK
 * with an in-memory store, this package's adapter on a running ledger, and a Redis-backed store (GrowthBook's own
 * RedisStickyBucketService; for Statsig and Optimizely the same pattern, written plainly here). Every user is
 * assigned before the timed run, so it measures sticky hits, a server's common case.
 */
export async function sdkStorageLatency(log: (line: string) => void): Promise<SdkStorageLatency> {
  const environment = await createTestEnvironment('bench-sdk-storage');
  const ledgerProcess = spawnService('ledger', { ...environment.env, LOG_LEVEL: 'warn' });
  const projectorProcess = spawnService('projector', { ...environment.env, LOG_LEVEL: 'warn' });
  // Every key this bench writes carries its own prefix, so the machine's Redis is left as it was found.
  const prefix = `bench-sdk-${process.pid}:`;
  const redis = new Redis(REDIS_URL, { keyPrefix: prefix });
  const closers: Array<() => Promise<unknown> | unknown> = [];
  try {
    const url = await ledgerProcess.ready(60_000);
    await projectorProcess.ready(60_000);
    const client = new LedgerClient({ url, apiKey: environment.adminKey });
    closers.push(() => client.close());
    const users = Array.from({ length: USERS }, (_, index) => `bench-user-${index}`);
    const measure = async (sdk: string, requests: Record<Store, Request>): Promise<StoreLatencies> => {
      const results = {} as Record<Store, ConstantRateResult>;
      for (const store of ['inMemory', 'ledger', 'redis'] as const) {
        for (const user of users) await requests[store](user); // assigns every user before the timed run
        results[store] = await atConstantRate(async (index) => (await requests[store](users[index % USERS]!), true), RATE, SECONDS);
        log(`${sdk}, ${store}: p50 ${results[store].p50Ms} ms, p99 ${results[store].p99Ms} ms at ${RATE}/s (${results[store].failed} failed)`);
      }
      return { ...results, ledgerOverRedisP99: Math.round((results.ledger.p99Ms / results.redis.p99Ms) * 100) / 100 };
    };

    const statsigWith = async (storage: PersistentStorage & { getUserPersistedValues(user: StatsigUser, idType: string): Promise<UserPersistedValues> }): Promise<Request> => {
      const payload = JSON.stringify(statsigConfigSpecs());
      const statsig = new Statsig('secret-bench', {
        disableNetwork: true,
        outputLogLevel: 'none',
        dataStore: { initialize: async () => {}, shutdown: async () => {}, get: async () => ({ result: payload, time: Date.now() }) },
        persistentStorage: storage,
      });
      await statsig.initialize();
      closers.push(() => statsig.shutdown());
      return async (userID) => {
        const user = new StatsigUser({ userID, country: 'NZ' });
        statsig.getExperiment(user, STATSIG_EXPERIMENT, { userPersistedValues: await storage.getUserPersistedValues(user, 'userID') });
      };
    };
    const statsig = await measure('Statsig core', {
      inMemory: await statsigWith(new InMemoryStatsigStorage()),
      ledger: await statsigWith(new StatsigLedgerStorage(client)),
      redis: await statsigWith(new RedisStatsigStorage(redis)),
    });

    const growthbookWith = (stickyBucketService: StickyBucketService): Request => {
      return async (id) => {
        const gb = new GrowthBook({ attributes: { id }, stickyBucketService });
        await gb.init({ payload: GROWTHBOOK_PAYLOAD });
        gb.evalFeature('checkout-feature');
        gb.destroy();
      };
    };
    const growthbook = await measure('GrowthBook', {
      inMemory: growthbookWith(new InMemoryStickyBucketService()),
      ledger: growthbookWith(new LedgerStickyBucketService(client)),
      // ioredis' overloads are wider than the structural type GrowthBook declares for it.
      redis: growthbookWith(new RedisStickyBucketService({ redis: redis as never })),
    });

    const optimizelyWith = async (userProfileServiceAsync: UserProfileServiceAsync): Promise<Request> => {
      const optimizely = createInstance({ projectConfigManager: createStaticProjectConfigManager({ datafile: OPTIMIZELY_DATAFILE }), userProfileServiceAsync });
      await optimizely.onReady();
      closers.push(() => optimizely.close());
      return async (userId) => optimizely.createUserContext(userId)!.decideAsync('checkout_flag');
    };
    const optimizely = await measure('Optimizely', {
      inMemory: await optimizelyWith(inMemoryProfiles()),
      ledger: await optimizelyWith(new LedgerUserProfileService(client).async),
      redis: await optimizelyWith(redisProfiles(redis)),
    });
    return { statsig, growthbook, optimizely };
  } finally {
    for (const close of closers) await close();
    redis.disconnect();
    const cleaner = new Redis(REDIS_URL);
    const written = await cleaner.keys(`${prefix}*`);
    if (written.length > 0) await cleaner.del(...written);
    cleaner.disconnect();
    ledgerProcess.child.kill('SIGTERM');
    projectorProcess.child.kill('SIGTERM');
    await Promise.all([ledgerProcess.exited(15_000), projectorProcess.exited(15_000)]).catch(() => killLeftoverServices());
    await environment.cleanup();
  }
}

const keyOf = (user: StatsigUser, idType: string) => `${user.userID}:${idType}`;

class InMemoryStatsigStorage implements PersistentStorage {
  private readonly values = new Map<string, UserPersistedValues>();
  getUserPersistedValues = async (user: StatsigUser, idType: string) => this.values.get(keyOf(user, idType)) ?? {};
  load = (key: string) => this.values.get(key) ?? null;
  save = (key: string, configName: string, data: UserPersistedValues[string]) => void this.values.set(key, { ...this.values.get(key), [configName]: data });
  delete = (key: string, configName: string) => void delete this.values.get(key)?.[configName];
}

/** Statsig's values in a Redis hash per persistence key (config name -> JSON), as a team would write it. */
class RedisStatsigStorage implements PersistentStorage {
  constructor(private readonly redis: Redis) {}
  getUserPersistedValues = async (user: StatsigUser, idType: string): Promise<UserPersistedValues> =>
    Object.fromEntries(Object.entries(await this.redis.hgetall(`statsig:${keyOf(user, idType)}`)).map(([configName, json]) => [configName, JSON.parse(json)]));
  load = () => null;
  save = (key: string, configName: string, data: UserPersistedValues[string]) => void this.redis.hset(`statsig:${key}`, configName, JSON.stringify(data));
  delete = (key: string, configName: string) => void this.redis.hdel(`statsig:${key}`, configName);
}

class InMemoryStickyBucketService extends StickyBucketService {
  private readonly docs = new Map<string, StickyAssignmentsDocument>();
  async getAssignments(attributeName: string, attributeValue: string) {
    return this.docs.get(this.getKey(attributeName, attributeValue)) ?? null;
  }
  async saveAssignments(doc: StickyAssignmentsDocument) {
    this.docs.set(this.getKey(doc.attributeName, doc.attributeValue), doc);
  }
}

function inMemoryProfiles(): UserProfileServiceAsync {
  const profiles = new Map<string, UserProfile>();
  return { lookup: async (userId) => profiles.get(userId) ?? { user_id: userId, experiment_bucket_map: {} }, save: async (profile) => void profiles.set(profile.user_id, profile) };
}

function redisProfiles(redis: Redis): UserProfileServiceAsync {
  return {
    lookup: async (userId) => JSON.parse((await redis.get(`optimizely:${userId}`)) ?? 'null') ?? { user_id: userId, experiment_bucket_map: {} },
    save: async (profile) => void (await redis.set(`optimizely:${profile.user_id}`, JSON.stringify(profile))),
  };
}

const GROWTHBOOK_PAYLOAD = {
  features: {
    'checkout-feature': {
      defaultValue: 'off',
      rules: [
        {
          key: 'checkout',
          seed: 'checkout',
          hashAttribute: 'id',
          hashVersion: 2,
          bucketVersion: 0,
          variations: ['control', 'treatment'],
          meta: [{ key: 'control' }, { key: 'treatment' }],
          weights: [0.5, 0.5],
          coverage: 1,
        },
      ],
    },
  },
};

const OPTIMIZELY_DATAFILE = JSON.stringify(
  datafile([
    { entityId: CONTROL, endOfRange: 5000 },
    { entityId: TREATMENT, endOfRange: 10000 },
  ]),
);
