import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { type ProjectedOutcome } from '@ledger/assignment';
import { READ_MODEL_SCHEMA } from '../read-model-schema';

/** Every event the projector applied, with what it did to the read model: the audit trail and time travel read this. */
@Entity({ name: 'sticky_value_history', schema: READ_MODEL_SCHEMA })
@Index('sticky_value_history_key_time', ['persistenceKey', 'configName', 'occurredAt'])
export class StickyValueHistoryEntity {
  @PrimaryColumn({ name: 'event_id', type: 'uuid' })
  eventId!: string;

  @Column({ name: 'log_partition', type: 'int' })
  logPartition!: number;

  @Column({ name: 'log_offset', type: 'bigint' })
  logOffset!: string;

  @Column({ name: 'persistence_key', type: 'text' })
  persistenceKey!: string;

  @Column({ name: 'config_name', type: 'text' })
  configName!: string;

  @Column({ name: 'event_type', type: 'text' })
  eventType!: string;

  @Column({ name: 'event_version', type: 'int' })
  eventVersion!: number;

  @Column({ type: 'text' })
  outcome!: ProjectedOutcome;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt!: Date;

  @Column({ name: 'projected_at', type: 'timestamptz' })
  projectedAt!: Date;

  @Column({ type: 'jsonb' })
  event!: unknown;
}
