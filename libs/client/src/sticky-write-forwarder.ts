import { type StickyValuesInput } from './contract/api-types';

export interface StickyWrites {
  save(key: string, configName: string, value: StickyValuesInput): Promise<unknown>;
  delete(key: string, configName: string): Promise<unknown>;
}

/**
 * How the SDK hands over its writes:
 * - `in-order`: as it made them (statsig-node 6 calls save and delete synchronously, during the evaluation);
 * - `saves-before-deletes`: Statsig's core Node binding queues them and delivers, in one turn of the event loop,
 *   every save before every delete, whatever order the evaluations made them in.
 */
export type DeliveryOrder = 'in-order' | 'saves-before-deletes';

export type StickyWriteErrorHandler = (error: unknown, write: { operation: 'save' | 'delete'; key: string; configName: string }) => void;

export const reportToStderr: StickyWriteErrorHandler = (error, write) => {
  console.error(`assignment ledger: ${write.operation} of ${write.configName} for ${write.key} failed: ${(error as Error).message}`);
};

type Write = { kind: 'save'; value: StickyValuesInput } | { kind: 'delete' };

/**
 * Forwards an SDK's fire-and-forget writes to the ledger, one key and config at a time in the order decided here,
 * so two writes for the same sticky value never race over the network. Writes are gathered for one turn of the
 * event loop (until setImmediate) and then forwarded.
 *
 * The guard for `saves-before-deletes`: a delete that arrives in the same turn as a save for the same key and
 * config is dropped. The binding's order says nothing about which the evaluations made first, and of the two
 * ways to be wrong, keeping a value the caller meant to delete (a later evaluation without persisted values
 * deletes it) is better than erasing the group a user was just given (the next evaluation would draw it again,
 * and, after an allocation change, differently).
 */
export class StickyWriteForwarder {
  private gathered = new Map<string, { key: string; configName: string; writes: Write[] }>();
  private scheduled = false;
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(
    private readonly ledger: StickyWrites,
    private readonly order: DeliveryOrder,
    private readonly onError: StickyWriteErrorHandler,
  ) {}

  save(key: string, configName: string, value: StickyValuesInput): void {
    this.gather(key, configName, { kind: 'save', value });
  }

  delete(key: string, configName: string): void {
    this.gather(key, configName, { kind: 'delete' });
  }

  /**
   * Resolves once every write handed over so far has been answered (or has failed and been reported). It first
   * lets one turn of the event loop pass, for the core binding delivers the callbacks of a tick on the next one.
   */
  async settled(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    while (this.scheduled || this.inFlight.size > 0) {
      if (this.scheduled) await new Promise((resolve) => setImmediate(resolve));
      else await Promise.all(this.inFlight.values());
    }
  }

  private gather(key: string, configName: string, write: Write): void {
    const id = JSON.stringify([key, configName]);
    const entry = this.gathered.get(id);
    if (entry) entry.writes.push(write);
    else this.gathered.set(id, { key, configName, writes: [write] });
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.forwardGathered());
    }
  }

  private forwardGathered(): void {
    const gathered = this.gathered;
    this.gathered = new Map();
    this.scheduled = false;
    for (const [id, { key, configName, writes }] of gathered) {
      const previous = this.inFlight.get(id) ?? Promise.resolve();
      const next = previous.then(() => this.forward(key, configName, this.decided(writes)));
      this.inFlight.set(id, next);
      void next.finally(() => {
        if (this.inFlight.get(id) === next) this.inFlight.delete(id);
      });
    }
  }

  /** What to send for one key and config, in order. */
  private decided(writes: Write[]): Write[] {
    // A write repeating the one before it changes nothing: first write wins, and a second delete finds nothing.
    if (this.order === 'in-order') return writes.filter((write, index) => write.kind !== writes[index - 1]?.kind);
    const save = writes.find((write) => write.kind === 'save');
    return save ? [save] : [{ kind: 'delete' }];
  }

  private async forward(key: string, configName: string, writes: Write[]): Promise<void> {
    for (const write of writes) {
      try {
        await (write.kind === 'save' ? this.ledger.save(key, configName, write.value) : this.ledger.delete(key, configName));
      } catch (error) {
        this.onError(error, { operation: write.kind, key, configName });
      }
    }
  }
}
