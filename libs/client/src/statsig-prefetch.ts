import { type UserPersistedValues } from './contract/api-types';
import { type LedgerClient } from './ledger-client';
import { persistenceKeyOf, type StatsigUnitIds } from './statsig-keys';

/**
 * Statsig's `load` is synchronous and the ledger is across the network, so the values are fetched before the
 * evaluation (`getUserPersistedValues`, coalesced into one `batch-load` per tick) and handed to the SDK. `load`
 * answers what was fetched in the same turn of the event loop, and null otherwise: a value kept longer could be
 * one another server has since deleted.
 */
export class StatsigPrefetch {
  private fetchedThisTurn = new Map<string, UserPersistedValues>();
  private clearing = false;

  constructor(private readonly client: LedgerClient) {}

  async fetch(user: StatsigUnitIds, idType: string): Promise<UserPersistedValues> {
    const key = persistenceKeyOf(user, idType);
    if (key === undefined) return {};
    const values = await this.client.load(key);
    this.fetchedThisTurn.set(key, values);
    if (!this.clearing) {
      this.clearing = true;
      setImmediate(() => {
        this.fetchedThisTurn = new Map();
        this.clearing = false;
      });
    }
    return values;
  }

  fetchedValues(key: string): UserPersistedValues | null {
    return this.fetchedThisTurn.get(key) ?? null;
  }
}
