import { type UserProfile, type UserProfileService, type UserProfileServiceAsync } from '@optimizely/optimizely-sdk';
import { type UserPersistedValues } from './contract/api-types';
import { type LedgerClient } from './ledger-client';
import { assignmentAsStickyValue, assignmentsIn, isConfigName, KnownAssignments, ledgerKey } from './sdk-mapping';
import { reportToStderr, type StickyWriteErrorHandler } from './sticky-write-forwarder';

export interface LedgerUserProfileServiceOptions {
  /** The ledger id type of Optimizely's user id; `userID` by default (so Statsig and Optimizely share a user's key). */
  idType?: string;
  onError?: StickyWriteErrorHandler;
}

/**
 * Optimizely's user profile service on the assignment ledger, in both forms the SDK takes.
 *
 * Mapping: the profile of `user_id` is the persistence key `<user_id>:<idType>`; each
 * `experiment_bucket_map[<experimentId>].variation_id` is one sticky value under it, config name the experiment id,
 * `group_name` the variation id. A save of the profile saves each entry it adds (first write wins, with history).
 *
 * - `userProfileServiceAsync: ups.async` (for `decideAsync`): lookup is a ledger load.
 * - `userProfileService: ups` (synchronous `lookup`): `await ups.prefetch(userId)` before deciding; lookup answers
 *   what was fetched in the same turn of the event loop.
 */
export class LedgerUserProfileService implements UserProfileService {
  private readonly known = new KnownAssignments();
  private readonly onError: StickyWriteErrorHandler;
  private fetchedThisTurn = new Map<string, UserProfile>();
  private clearing = false;
  private readonly pending = new Set<Promise<void>>();

  readonly async: UserProfileServiceAsync = {
    lookup: (userId) => this.prefetch(userId),
    save: (profile) => this.saveProfile(profile),
  };

  constructor(
    private readonly client: LedgerClient,
    private readonly options: LedgerUserProfileServiceOptions = {},
  ) {
    this.onError = options.onError ?? reportToStderr;
  }

  /** Loads the user's profile from the ledger (one round trip per user; same-tick loads share a `batch-load`). */
  async prefetch(userId: string): Promise<UserProfile> {
    const key = this.keyOf(userId);
    const values: UserPersistedValues = key === undefined ? {} : await this.client.load(key);
    const assignments = assignmentsIn(values);
    if (key !== undefined) this.known.set(key, assignments);
    const profile = { user_id: userId, experiment_bucket_map: Object.fromEntries(Object.entries(assignments).map(([experimentId, variationId]) => [experimentId, { variation_id: variationId }])) };
    this.remember(profile);
    return profile;
  }

  // The SDK may call these detached from the object, so they are bound properties.
  readonly lookup = (userId: string): UserProfile => this.fetchedThisTurn.get(userId) ?? { user_id: userId, experiment_bucket_map: {} };

  readonly save = (profile: UserProfile): void => {
    const saving = this.saveProfile(profile);
    this.pending.add(saving);
    void saving.finally(() => this.pending.delete(saving));
  };

  /** Resolves once every save handed over so far has been answered. */
  async flush(): Promise<void> {
    await Promise.all(this.pending);
  }

  private async saveProfile(profile: UserProfile): Promise<void> {
    const key = this.keyOf(profile.user_id);
    const entries = Object.entries(profile.experiment_bucket_map).map(([experimentId, { variation_id }]) => [experimentId, variation_id] as const);
    if (key === undefined) {
      for (const [experimentId] of entries) this.onError(new TypeError(`${profile.user_id} is no unit id the ledger takes`), { operation: 'save', key: profile.user_id, configName: experimentId });
      return;
    }
    const known = this.known.get(key);
    this.known.set(key, { ...known, ...Object.fromEntries(entries) });
    await Promise.all(
      entries
        .filter(([experimentId, variationId]) => known[experimentId] !== variationId)
        .map(async ([experimentId, variationId]) => {
          try {
            if (!isConfigName(experimentId)) throw new TypeError(`${experimentId} is no config name the ledger takes`);
            await this.client.save(key, experimentId, assignmentAsStickyValue(variationId), { caller: 'sdk_adapter' });
          } catch (error) {
            this.onError(error, { operation: 'save', key, configName: experimentId });
          }
        }),
    );
  }

  private keyOf(userId: string): string | undefined {
    return ledgerKey(userId, this.options.idType ?? 'userID');
  }

  private remember(profile: UserProfile): void {
    this.fetchedThisTurn.set(profile.user_id, profile);
    if (this.clearing) return;
    this.clearing = true;
    setImmediate(() => {
      this.fetchedThisTurn = new Map();
      this.clearing = false;
    });
  }
}
