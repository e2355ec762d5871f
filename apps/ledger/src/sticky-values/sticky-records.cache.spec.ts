import { ABSENT } from '@ledger/assignment';
import { ServiceMetrics } from '@ledger/platform';
import { PROJECTION_PROGRESS_CHANNEL, READ_MODEL_REPLACED_CHANNEL } from '@ledger/storage';
import { type DatabaseNotifications, type NotificationSubscriber } from '../database/database-notifications';
import { LedgerMetrics } from '../metrics/ledger-metrics';
import { StickyRecordsCache } from './sticky-records.cache';
import { type StickyRecord } from './sticky-values.repository';

class FakeNotifications {
  listening = true;
  readonly subscribers = new Map<string, NotificationSubscriber>();
  async subscribe(channel: string, subscriber: NotificationSubscriber): Promise<void> {
    this.subscribers.set(channel, subscriber);
  }
  progress(partition: number, changedKeys?: string[]): void {
    this.subscribers.get(PROJECTION_PROGRESS_CHANNEL)!.notice(JSON.stringify({ consumerGroup: 'g', topic: 't', partition, nextOffset: '1', ...(changedKeys ? { changedKeys } : {}) }));
  }
}

const held = (group: string): StickyRecord => ({
  state: {
    kind: 'held',
    stickyValues: {
      value: true,
      json_value: {},
      rule_id: group,
      group_name: group,
      secondary_exposures: [],
      undelegated_secondary_exposures: null,
      config_delegate: null,
      explicit_parameters: null,
      time: 1,
      config_version: 1,
    },
    savedEventId: `00000000-0000-4000-8000-00000000000${group.length}`,
    savedAt: '2026-11-25T00:00:00.000Z',
  },
  assignment: null,
});

describe('the cache of sticky records', () => {
  let notifications: FakeNotifications;
  let cache: StickyRecordsCache;
  let metrics: ServiceMetrics;
  let loads: number;
  let inReadModel: StickyRecord;
  const load = async () => {
    loads += 1;
    return inReadModel;
  };
  const read = (key = 'u1:userID', partition = 0) => cache.recordOf(key, 'exp', () => partition, load);

  beforeEach(async () => {
    notifications = new FakeNotifications();
    metrics = new ServiceMetrics('test', false);
    cache = new StickyRecordsCache(notifications as unknown as DatabaseNotifications, new LedgerMetrics(metrics));
    await cache.onModuleInit();
    loads = 0;
    inReadModel = held('Control');
  });

  it('reads a record once, and again after a batch that touched its key', async () => {
    await read();
    expect(await read()).toBe(inReadModel);
    expect(loads).toBe(1);
    notifications.progress(0, ['someone-else:userID']);
    await read();
    expect(loads).toBe(1);
    inReadModel = { state: ABSENT, assignment: null };
    notifications.progress(0, ['u1:userID']);
    expect((await read()).state).toBe(ABSENT);
    expect(loads).toBe(2);
  });

  it('counts its hits and misses, a read while notices are not arriving among the misses', async () => {
    await read();
    await read();
    await read();
    notifications.listening = false;
    await read();
    const lookups = (await metrics.registry.getSingleMetric('assignment_ledger_cache_lookups_total')!.get()).values.filter((value) => value.labels.cache === 'sticky_records');
    expect(Object.fromEntries(lookups.map((value) => [value.labels.result, value.value]))).toEqual({ hit: 2, miss: 2 });
  });

  it('drops a whole partition when a batch could not list its keys, and only that partition', async () => {
    await read('a:userID', 0);
    await read('b:userID', 1);
    notifications.progress(0);
    await read('a:userID', 0);
    await read('b:userID', 1);
    expect(loads).toBe(3);
  });

  it('keeps nothing read while a batch of its partition was being announced', async () => {
    let finish!: (record: StickyRecord) => void;
    const slow = cache.recordOf(
      'u1:userID',
      'exp',
      () => 0,
      () => new Promise((resolve) => (finish = resolve)),
    );
    notifications.progress(0, ['u1:userID']);
    finish(held('Stale'));
    await slow;
    expect(await read()).toEqual(held('Control'));
    expect(loads).toBe(1);
  });

  it('drops everything when a rebuild replaces the read model or the notices were interrupted, and caches nothing while they are', async () => {
    await read();
    notifications.subscribers.get(READ_MODEL_REPLACED_CHANNEL)!.notice('read_model_replaced_1');
    await read();
    notifications.subscribers.get(PROJECTION_PROGRESS_CHANNEL)!.reconnected();
    await read();
    expect(loads).toBe(3);
    notifications.listening = false;
    await read();
    await read();
    expect(loads).toBe(5);
  });
});
