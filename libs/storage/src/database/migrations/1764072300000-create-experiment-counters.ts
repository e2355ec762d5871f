import { type MigrationInterface, type QueryRunner } from 'typeorm';
import { READ_MODEL_SCHEMA } from '../read-model-schema';

/**
 * Counters the projection keeps beside the rows it counts, so an experiment's assignments are answered
 * without a scan: sticky units per group, and saves and deletes that took effect per UTC day. One row per
 * partition, so the partitions' batches never contend for a counter; readers sum them.
 */
export class CreateExperimentCounters1764072300000 implements MigrationInterface {
  name = 'CreateExperimentCounters1764072300000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE ${READ_MODEL_SCHEMA}.experiment_group_units (
        config_name text NOT NULL,
        group_name text NOT NULL,
        log_partition int NOT NULL,
        units bigint NOT NULL,
        PRIMARY KEY (config_name, group_name, log_partition)
      )`);
    await queryRunner.query(`
      CREATE TABLE ${READ_MODEL_SCHEMA}.experiment_daily_activity (
        config_name text NOT NULL,
        day date NOT NULL,
        log_partition int NOT NULL,
        saves bigint NOT NULL,
        deletes bigint NOT NULL,
        PRIMARY KEY (config_name, day, log_partition)
      )`);
    // An experiment's sticky units, for its export.
    await queryRunner.query(`CREATE INDEX sticky_values_config ON ${READ_MODEL_SCHEMA}.sticky_values (config_name)`);
    // What the read model already holds, counted once; from here on the projection keeps them.
    await queryRunner.query(`
      INSERT INTO ${READ_MODEL_SCHEMA}.experiment_group_units (config_name, group_name, log_partition, units)
      SELECT config_name, coalesce(sticky_values->>'group_name', ''), log_partition, count(*)
        FROM ${READ_MODEL_SCHEMA}.sticky_values GROUP BY 1, 2, 3`);
    await queryRunner.query(`
      INSERT INTO ${READ_MODEL_SCHEMA}.experiment_daily_activity (config_name, day, log_partition, saves, deletes)
      SELECT config_name, (occurred_at AT TIME ZONE 'UTC')::date, log_partition, count(*) FILTER (WHERE outcome = 'saved'), count(*) FILTER (WHERE outcome = 'deleted')
        FROM ${READ_MODEL_SCHEMA}.sticky_value_history WHERE outcome IN ('saved', 'deleted') GROUP BY 1, 2, 3`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE ${READ_MODEL_SCHEMA}.experiment_daily_activity`);
    await queryRunner.query(`DROP TABLE ${READ_MODEL_SCHEMA}.experiment_group_units`);
    await queryRunner.query(`DROP INDEX ${READ_MODEL_SCHEMA}.sticky_values_config`);
  }
}
