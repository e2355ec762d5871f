import { type PersistentStorage, type StatsigUser, type StickyValues as StatsigStickyValues, type UserPersistedValues as StatsigUserPersistedValues } from '@statsig/statsig-node-core';
import { type LedgerClient } from './ledger-client';
import { StatsigPrefetch } from './statsig-prefetch';
import { reportToStderr, type StickyWriteErrorHandler, StickyWriteForwarder } from './sticky-write-forwarder';

export interface StatsigLedgerStorageOptions {
  /** Called when a forwarded save or delete fails (the SDK does not wait for them); by default it is written to stderr. */
  onError?: StickyWriteErrorHandler;
}

/**
 * `PersistentStorage` for `@statsig/statsig-node-core` on the assignment ledger.
 *
 *     const persisted = await storage.getUserPersistedValues(user, 'userID');   // one round trip per user
 *     statsig.getExperiment(user, 'checkout_button', { userPersistedValues: persisted });
 *
 * Saves and deletes are forwarded with the cause `sdk_adapter`, one key and config at a time. The core's Node
 * binding delivers every save of a tick before every delete, so a delete arriving with a save for the same
 * value is dropped (see StickyWriteForwarder).
 */
export class StatsigLedgerStorage implements PersistentStorage {
  private readonly prefetch: StatsigPrefetch;
  private readonly writes: StickyWriteForwarder;

  constructor(client: LedgerClient, options: StatsigLedgerStorageOptions = {}) {
    this.prefetch = new StatsigPrefetch(client);
    this.writes = new StickyWriteForwarder(
      { save: (key, configName, value) => client.save(key, configName, value, { caller: 'sdk_adapter' }), delete: (key, configName) => client.delete(key, configName, { caller: 'sdk_adapter' }) },
      'saves-before-deletes',
      options.onError ?? reportToStderr,
    );
  }

  /** What to pass as `userPersistedValues`: everything the user's unit holds for `idType` (`{}` when nothing, or no unit id). */
  getUserPersistedValues(user: StatsigUser, idType: string): Promise<StatsigUserPersistedValues> {
    return this.prefetch.fetch(user, idType) as Promise<unknown> as Promise<StatsigUserPersistedValues>;
  }

  // The SDKs call these detached from the object (the core binding does), so they are bound properties.
  readonly load = (key: string): StatsigUserPersistedValues | null => {
    return this.prefetch.fetchedValues(key) as StatsigUserPersistedValues | null;
  };

  readonly save = (key: string, configName: string, data: StatsigStickyValues): void => {
    this.writes.save(key, configName, data as never);
  };

  readonly delete = (key: string, configName: string): void => {
    this.writes.delete(key, configName);
  };

  /** Resolves once every save and delete handed over so far has been answered; await it before shutting down. */
  flush(): Promise<void> {
    return this.writes.settled();
  }
}
