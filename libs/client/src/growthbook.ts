import { StickyBucketService, type StickyAssignmentsDocument, type StickyAttributeKey } from '@growthbook/growthbook';
import { type LedgerClient } from './ledger-client';
import { assignmentAsStickyValue, assignmentsIn, isConfigName, KnownAssignments, ledgerKey } from './sdk-mapping';
import { reportToStderr, type StickyWriteErrorHandler } from './sticky-write-forwarder';

export interface LedgerStickyBucketServiceOptions {
  /** The ledger id type of a GrowthBook attribute (`{ id: 'userID' }` shares Statsig's keys); by default the attribute's own name. */
  idTypes?: Record<string, string>;
  /** Called when an assignment cannot be saved (GrowthBook does not wait for saves); by default it is written to stderr. */
  onError?: StickyWriteErrorHandler;
}

/** GrowthBook's sticky experiment keys, `<experimentKey>__<bucketVersion>`. */
const STICKY_EXPERIMENT_KEY = /^.+__\d+$/;

/**
 * GrowthBook's `StickyBucketService` on the assignment ledger.
 *
 * Mapping: the document of attribute `name` = `value` is the persistence key `<value>:<idType>` (idType = `name`, or
 * `idTypes[name]`); each assignment `"<experimentKey>__<bucketVersion>": "<variationKey>"` is one sticky value under
 * that key, config name `<experimentKey>__<bucketVersion>`, `group_name` the variation key. GrowthBook saves whole
 * documents, last writer wins; here each new assignment is a save of its own, first write wins, with its history.
 */
export class LedgerStickyBucketService extends StickyBucketService {
  private readonly known = new KnownAssignments();
  private readonly onError: StickyWriteErrorHandler;

  constructor(
    private readonly client: LedgerClient,
    private readonly options: LedgerStickyBucketServiceOptions = {},
  ) {
    super();
    this.onError = options.onError ?? reportToStderr;
  }

  async getAssignments(attributeName: string, attributeValue: string): Promise<StickyAssignmentsDocument | null> {
    const key = this.keyOf(attributeName, attributeValue);
    if (key === undefined) return null;
    return this.documentOf(attributeName, attributeValue, key, await this.client.load(key));
  }

  /** Every attribute's document in one `batch-load`. */
  override async getAllAssignments(attributes: Record<string, string>): Promise<Record<StickyAttributeKey, StickyAssignmentsDocument>> {
    const wanted = Object.entries(attributes).flatMap(([name, value]) => {
      const key = this.keyOf(name, value);
      return key === undefined ? [] : [{ name, value, key }];
    });
    const loaded = await this.client.loadMany(wanted.map(({ key }) => key));
    const documents: Record<StickyAttributeKey, StickyAssignmentsDocument> = {};
    for (const { name, value, key } of wanted) {
      const document = this.documentOf(name, value, key, loaded.get(key) ?? {});
      if (document) documents[`${name}||${value}`] = document;
    }
    return documents;
  }

  /** Saves each assignment the document adds; never rejects, since GrowthBook does not wait for it. */
  async saveAssignments(document: StickyAssignmentsDocument): Promise<void> {
    const key = this.keyOf(document.attributeName, document.attributeValue);
    const configNames = Object.keys(document.assignments);
    if (key === undefined) {
      for (const configName of configNames)
        this.onError(new TypeError(`${document.attributeName}=${document.attributeValue} is no persistence key`), { operation: 'save', key: document.attributeValue, configName });
      return;
    }
    const known = this.known.get(key);
    const added = configNames.filter((configName) => known[configName] !== document.assignments[configName]);
    this.known.set(key, { ...known, ...document.assignments });
    await Promise.all(
      added.map(async (configName) => {
        try {
          if (!isConfigName(configName)) throw new TypeError(`${configName} is no config name the ledger takes`);
          await this.client.save(key, configName, assignmentAsStickyValue(document.assignments[configName]!), { caller: 'sdk_adapter' });
        } catch (error) {
          this.onError(error, { operation: 'save', key, configName });
        }
      }),
    );
  }

  private keyOf(attributeName: string, attributeValue: string): string | undefined {
    return ledgerKey(attributeValue, this.options.idTypes?.[attributeName] ?? attributeName);
  }

  private documentOf(attributeName: string, attributeValue: string, key: string, values: Parameters<typeof assignmentsIn>[0]): StickyAssignmentsDocument | null {
    const assignments = assignmentsIn(values, (configName) => STICKY_EXPERIMENT_KEY.test(configName));
    this.known.set(key, assignments);
    return Object.keys(assignments).length === 0 ? null : { attributeName, attributeValue, assignments };
  }
}
