export * from './event-metadata.schema';
export * from './ledger-event';
export * from './persistence-key.schema';
export * from './sticky-value-deleted.v1';
export * from './sticky-value-saved.v1';
export * from './sticky-values.schema';
