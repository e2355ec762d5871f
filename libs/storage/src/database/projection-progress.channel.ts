/** Postgres NOTIFY channel on which the projector announces each committed batch, so writers see their writes at once. */
export const PROJECTION_PROGRESS_CHANNEL = 'ledger_projection_progress';

export interface ProjectionProgressNotice {
  consumerGroup: string;
  topic: string;
  partition: number;
  nextOffset: string;
}
