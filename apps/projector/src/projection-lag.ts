interface PartitionLag {
  /** Records between what the projection has applied and the partition's log end. */
  records: number;
  /** Record time (the event's occurredAt) of the newest record applied, once one has been. */
  appliedUpTo: number | undefined;
  /** Record time of the first record of a batch fetched and not applied yet. */
  firstPendingAt: number | undefined;
}

export interface PartitionLagReading {
  partition: number;
  records: number;
  seconds: number;
}

/**
 * How far behind its log each partition's projection is, from what the consumer already has in hand (each
 * batch's high watermark, offsets and record times), so a scrape costs no call to the broker. A batch that
 * arrives counts as behind until it is applied, so a projection stuck on one (the database down, say) shows it.
 */
export class ProjectionLag {
  private readonly partitions = new Map<number, PartitionLag>();

  fetched(partition: number, highWatermark: string, firstOffset: string, firstRecordAt: number): void {
    const lag = this.of(partition);
    lag.records = behind(highWatermark, firstOffset);
    lag.firstPendingAt ??= firstRecordAt;
  }

  applied(partition: number, highWatermark: string, nextOffset: string, newestRecordAt: number): void {
    const lag = this.of(partition);
    lag.records = behind(highWatermark, nextOffset);
    lag.appliedUpTo = newestRecordAt;
    lag.firstPendingAt = undefined;
  }

  /** The partition went to another member: its lag is that member's to tell. */
  forget(partition: number): void {
    this.partitions.delete(partition);
  }

  /**
   * Per partition: records behind, and seconds between now and the newest applied record's time (or, before
   * any was applied, the first pending one's); 0 seconds when nothing is behind, since an idle log is not late.
   */
  read(now: number): PartitionLagReading[] {
    return [...this.partitions]
      .sort(([a], [b]) => a - b)
      .map(([partition, lag]) => {
        const since = lag.appliedUpTo ?? lag.firstPendingAt;
        const seconds = lag.records === 0 || since === undefined ? 0 : Math.max(0, (now - since) / 1000);
        return { partition, records: lag.records, seconds };
      });
  }

  private of(partition: number): PartitionLag {
    let lag = this.partitions.get(partition);
    if (!lag) this.partitions.set(partition, (lag = { records: 0, appliedUpTo: undefined, firstPendingAt: undefined }));
    return lag;
  }
}

function behind(highWatermark: string, offset: string): number {
  const records = Number(highWatermark) - Number(offset);
  return records > 0 ? records : 0;
}
