import { stickyValueFor } from '@ledger/testing';
import { ABSENT, type StickyState } from '@ledger/assignment';
import { type CacheCounts, type LedgerActivityMetrics } from '../ledger-metrics.port';
import { type DatabaseNotifications, type NotificationSubscriber } from './database-notifications';
import { PROJECTION_PROGRESS_CHANNEL, READ_MODEL_REPLACED_CHANNEL } from './notice-channels';
import { StickyStatesCache } from './sticky-states.cache';

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

const held = (group: string): StickyState => ({
  kind: 'held',
  stickyValues: stickyValueFor(group),
  savedEventId: `00000000-0000-4000-8000-00000000000${group.length}`,
  savedAt: '2026-11-25T00:00:00.000Z',
  assignment: null,
});

describe('the cache of sticky states', () => {
  let notifications: FakeNotifications;
  let cache: StickyStatesCache;
  let counted: { hit: number; miss: number };
  let loads: number;
  let inReadModel: StickyState;
  const load = async () => {
    loads += 1;
    return inReadModel;
  };
  const read = (key = 'u1:userID', partition = 0) => cache.stateOf(key, 'exp', () => partition, load);

  beforeEach(async () => {
    notifications = new FakeNotifications();
    counted = { hit: 0, miss: 0 };
    const stickyStates: CacheCounts = { hit: () => (counted.hit += 1), miss: () => (counted.miss += 1) };
    cache = new StickyStatesCache(notifications as unknown as DatabaseNotifications, { stickyStates } as LedgerActivityMetrics);
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
    inReadModel = ABSENT;
    notifications.progress(0, ['u1:userID']);
    expect(await read()).toBe(ABSENT);
    expect(loads).toBe(2);
  });

  it('counts its hits and misses, a read while notices are not arriving among the misses', async () => {
    await read();
    await read();
    await read();
    notifications.listening = false;
    await read();
    expect(counted).toEqual({ hit: 2, miss: 2 });
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
    let finish!: (state: StickyState) => void;
    const slow = cache.stateOf(
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
