/** Postgres NOTIFY channel on which the projector announces each committed batch, so writers see their writes at once. */
export const PROJECTION_PROGRESS_CHANNEL = 'ledger_projection_progress';

/** Postgres NOTIFY channel on which a publication names its experiment, on commit. */
export const EXPERIMENT_PUBLISHED_CHANNEL = 'ledger_experiment_published';

/** Postgres NOTIFY channel on which a rebuild announces that it swapped a new read model in. */
export const READ_MODEL_REPLACED_CHANNEL = 'ledger_read_model_replaced';

/** NOTIFY payloads are limited to 8000 bytes; a notice that would list more keys lists none. */
const MAX_NOTICE_BYTES = 7_500;

export interface ProjectionProgressNotice {
  consumerGroup: string;
  topic: string;
  partition: number;
  nextOffset: string;
  /**
   * The persistence keys the batch touched, for caches of the read model; absent when there were too many
   * to list (or from an older projector): then anything in the partition may have changed.
   */
  changedKeys?: string[];
}

/** The notice's payload, listing the touched keys when they fit. */
export function projectionProgressPayload(notice: Omit<ProjectionProgressNotice, 'changedKeys'>, changedKeys: string[]): string {
  const full = JSON.stringify({ ...notice, changedKeys });
  return Buffer.byteLength(full) <= MAX_NOTICE_BYTES ? full : JSON.stringify(notice);
}
