import { Column, Entity, PrimaryColumn } from 'typeorm';
import { READ_MODEL_SCHEMA } from '../read-model-schema';
import { type StickyValues } from '@ledger/events';

/** The read model that serves load(): a unit's current sticky value per config, as the log decided it. */
@Entity({ name: 'sticky_values', schema: READ_MODEL_SCHEMA })
export class StickyValueEntity {
  @PrimaryColumn({ name: 'persistence_key', type: 'text' })
  persistenceKey!: string;

  @PrimaryColumn({ name: 'config_name', type: 'text' })
  configName!: string;

  @Column({ name: 'sticky_values', type: 'jsonb' })
  stickyValues!: StickyValues;

  @Column({ name: 'saved_event_id', type: 'uuid' })
  savedEventId!: string;

  @Column({ name: 'saved_at', type: 'timestamptz' })
  savedAt!: Date;

  @Column({ name: 'log_partition', type: 'int' })
  logPartition!: number;

  @Column({ name: 'log_offset', type: 'bigint' })
  logOffset!: string;
}
