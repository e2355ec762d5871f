import { ServiceMetrics } from '@ledger/platform';
import { type DatabaseNotifications, EXPERIMENT_PUBLISHED_CHANNEL, type NotificationSubscriber } from '@ledger/ledger';
import { LedgerMetrics } from '../metrics/ledger-metrics';
import { type PublishedExperiment } from './experiments.repository';
import { PublishedExperimentsCache } from './published-experiments.cache';

class FakeNotifications {
  listening = true;
  readonly subscribers = new Map<string, NotificationSubscriber>();
  async subscribe(channel: string, subscriber: NotificationSubscriber): Promise<void> {
    this.subscribers.set(channel, subscriber);
  }
  publish(name: string): void {
    this.subscribers.get(EXPERIMENT_PUBLISHED_CHANNEL)!.notice(name);
  }
}

const version = (name: string, number: number) => ({ name, version: number }) as PublishedExperiment;

describe('the cache of published experiments', () => {
  let notifications: FakeNotifications;
  let cache: PublishedExperimentsCache;
  let metrics: ServiceMetrics;
  let loads: number;
  let current: number;
  const load = (name: string) => async () => {
    loads += 1;
    return version(name, current);
  };

  beforeEach(async () => {
    notifications = new FakeNotifications();
    metrics = new ServiceMetrics('test', false);
    cache = new PublishedExperimentsCache(notifications as unknown as DatabaseNotifications, new LedgerMetrics(metrics));
    await cache.onModuleInit();
    loads = 0;
    current = 1;
  });

  it('loads an experiment once, and again after a publication names it', async () => {
    await cache.latestOf('a', load('a'));
    expect(await cache.latestOf('a', load('a'))).toMatchObject({ version: 1 });
    expect(loads).toBe(1);
    current = 2;
    notifications.publish('b');
    expect(await cache.latestOf('a', load('a'))).toMatchObject({ version: 1 });
    notifications.publish('a');
    expect(await cache.latestOf('a', load('a'))).toMatchObject({ version: 2 });
    expect(loads).toBe(2);
  });

  it('counts its hits and misses, for single experiments and the active list alike', async () => {
    await cache.latestOf('a', load('a'));
    await cache.latestOf('a', load('a'));
    await cache.active(async () => []);
    await cache.active(async () => []);
    await cache.active(async () => []);
    const lookups = (await metrics.registry.getSingleMetric('assignment_ledger_cache_lookups_total')!.get()).values.filter((value) => value.labels.cache === 'published_experiments');
    expect(Object.fromEntries(lookups.map((value) => [value.labels.result, value.value]))).toEqual({ hit: 3, miss: 2 });
  });

  it('never keeps a load that was under way when a publication arrived', async () => {
    let finish!: (found: PublishedExperiment) => void;
    const slow = cache.latestOf('a', () => new Promise((resolve) => (finish = resolve)));
    notifications.publish('a');
    finish(version('a', 1));
    await slow;
    current = 2;
    expect(await cache.latestOf('a', load('a'))).toMatchObject({ version: 2 });
  });

  it('caches nothing while notices are not arriving, nor unknown names, nor failures', async () => {
    notifications.listening = false;
    await cache.latestOf('a', load('a'));
    await cache.latestOf('a', load('a'));
    expect(loads).toBe(2);
    notifications.listening = true;
    await cache.latestOf('unknown', async () => undefined);
    await expect(cache.latestOf('broken', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    let unknownLoads = 0;
    await cache.latestOf('unknown', async () => void (unknownLoads += 1));
    expect(await cache.latestOf('broken', load('broken'))).toMatchObject({ version: 1 });
    expect(unknownLoads).toBe(1);
  });

  it('drops everything after a reconnection, and the active list on any publication', async () => {
    let activeLoads = 0;
    const loadActive = async () => [version('a', ++activeLoads)];
    await cache.latestOf('a', load('a'));
    await cache.active(loadActive);
    await cache.active(loadActive);
    expect(activeLoads).toBe(1);
    notifications.publish('z');
    await cache.active(loadActive);
    expect(activeLoads).toBe(2);
    notifications.subscribers.get(EXPERIMENT_PUBLISHED_CHANNEL)!.reconnected();
    await cache.active(loadActive);
    await cache.latestOf('a', load('a'));
    expect(activeLoads).toBe(3);
    expect(loads).toBe(2);
  });
});
