/** The most keys one `batch-load` call takes (the ledger's MAX_BATCH_KEYS). */
export const MAX_KEYS_PER_BATCH = 1000;

interface Waiter<V> {
  resolve(value: V): void;
  reject(error: unknown): void;
}

/**
 * Coalesces the loads asked for in one turn of the event loop into one batch call per 1000 distinct keys. The
 * batch goes out on setImmediate rather than a microtask, so loads that async functions reach after a few awaits
 * of their own (one per request handler, say) still share it.
 */
export class LoadBatcher<V> {
  private pending = new Map<string, Waiter<V>[]>();
  private scheduled = false;

  constructor(
    private readonly loadBatch: (keys: string[]) => Promise<Record<string, V>>,
    private readonly absent: () => V,
  ) {}

  load(key: string): Promise<V> {
    return new Promise<V>((resolve, reject) => {
      const waiters = this.pending.get(key);
      if (waiters) waiters.push({ resolve, reject });
      else this.pending.set(key, [{ resolve, reject }]);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = new Map();
    this.scheduled = false;
    const keys = [...batch.keys()];
    for (let start = 0; start < keys.length; start += MAX_KEYS_PER_BATCH) {
      const chunk = keys.slice(start, start + MAX_KEYS_PER_BATCH);
      this.loadBatch(chunk).then(
        (results) => {
          for (const key of chunk) for (const waiter of batch.get(key)!) waiter.resolve(results[key] ?? this.absent());
        },
        (error: unknown) => {
          for (const key of chunk) for (const waiter of batch.get(key)!) waiter.reject(error);
        },
      );
    }
  }
}
