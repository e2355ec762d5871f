import { type IUserPersistentStorage, type StickyValues as LegacyStickyValues, type UserPersistedValues as LegacyUserPersistedValues } from 'statsig-node/dist/interfaces/IUserPersistentStorage';
import { type LedgerClient } from './ledger-client';
import { hasUnitId } from './statsig-keys';
import { StatsigPrefetch } from './statsig-prefetch';
import { reportToStderr, type StickyWriteErrorHandler, StickyWriteForwarder } from './sticky-write-forwarder';

/** A statsig-node 6 user, as far as its persistence key goes. */
export interface StatsigLegacyUser {
  userID?: string;
  customIDs?: Record<string, string>;
}

/**
 * `IUserPersistentStorage` for `statsig-node` 6 on the assignment ledger. Its `load` is synchronous too, so the
 * values are fetched first, exactly as for the core SDK:
 *
 *     const persisted = await storage.getUserPersistedValues(user, 'userID');
 *     statsig.getExperimentSync(user, 'checkout_button', { userPersistedValues: persisted });
 *
 * This SDK calls save and delete during the evaluation, in order, so they are forwarded in that order.
 */
export class StatsigLegacyLedgerStorage implements IUserPersistentStorage {
  private readonly prefetch: StatsigPrefetch;
  private readonly writes: StickyWriteForwarder;

  constructor(client: LedgerClient, options: { onError?: StickyWriteErrorHandler } = {}) {
    this.prefetch = new StatsigPrefetch(client);
    this.writes = new StickyWriteForwarder(
      { save: (key, configName, value) => client.save(key, configName, value, { caller: 'sdk_adapter' }), delete: (key, configName) => client.delete(key, configName, { caller: 'sdk_adapter' }) },
      'in-order',
      options.onError ?? reportToStderr,
    );
  }

  getUserPersistedValues(user: StatsigLegacyUser, idType: string): Promise<LegacyUserPersistedValues> {
    return this.prefetch.fetch(user, idType) as Promise<unknown> as Promise<LegacyUserPersistedValues>;
  }

  /** The SDK's own `statsig.getUserPersistedValues` lands here: it answers what was fetched in this same turn of the event loop. */
  // The SDKs call these detached from the object (the core binding does), so they are bound properties.
  readonly load = (key: string): LegacyUserPersistedValues => {
    return (this.prefetch.fetchedValues(key) ?? {}) as unknown as LegacyUserPersistedValues;
  };

  readonly save = (key: string, configName: string, data: LegacyStickyValues): void => {
    if (hasUnitId(key)) this.writes.save(key, configName, data as never);
  };

  readonly delete = (key: string, configName: string): void => {
    if (hasUnitId(key)) this.writes.delete(key, configName);
  };

  flush(): Promise<void> {
    return this.writes.settled();
  }
}
