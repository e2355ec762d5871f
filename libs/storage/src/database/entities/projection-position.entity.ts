import { Column, Entity, PrimaryColumn } from 'typeorm';
import { READ_MODEL_SCHEMA } from '../read-model-schema';

/**
 * The next log offset to apply, per partition, written in the same transaction as the rows it produced:
 * this, not Kafka's committed offset, is what makes the projection exactly once.
 */
@Entity({ name: 'projection_positions', schema: READ_MODEL_SCHEMA })
export class ProjectionPositionEntity {
  @PrimaryColumn({ name: 'consumer_group', type: 'text' })
  consumerGroup!: string;

  @PrimaryColumn({ type: 'text' })
  topic!: string;

  @PrimaryColumn({ name: 'log_partition', type: 'int' })
  logPartition!: number;

  @Column({ name: 'next_offset', type: 'bigint' })
  nextOffset!: string;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
