/** The schema the services read and the projector writes. */
export const READ_MODEL_SCHEMA = 'read_model';
/** Where a rebuild replays the log before it is swapped in by renaming. */
export const REBUILD_SCHEMA = 'read_model_rebuild';
export const READ_MODEL_TABLES = ['sticky_values', 'sticky_value_history', 'projection_positions', 'experiment_group_units', 'experiment_daily_activity'] as const;

/**
 * Every projector batch holds this lock shared; a rebuild's swap holds it exclusively. A batch that
 * waited for a swap therefore resolves table names after it, and writes into the swapped-in tables.
 */
export const READ_MODEL_SWAP_LOCK_ID = 7_311_402_982;
