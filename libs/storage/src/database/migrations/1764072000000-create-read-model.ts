import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class CreateReadModel1764072000000 implements MigrationInterface {
  name = 'CreateReadModel1764072000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Its own schema, so a rebuild can fill a twin schema and swap the two by renaming.
    await queryRunner.query('CREATE SCHEMA read_model');
    await queryRunner.query(`
      CREATE TABLE read_model.sticky_values (
        persistence_key text NOT NULL,
        config_name text NOT NULL,
        sticky_values jsonb NOT NULL,
        saved_event_id uuid NOT NULL,
        saved_at timestamptz NOT NULL,
        log_partition int NOT NULL,
        log_offset bigint NOT NULL,
        PRIMARY KEY (persistence_key, config_name)
      )`);
    await queryRunner.query(`
      CREATE TABLE read_model.sticky_value_history (
        event_id uuid PRIMARY KEY,
        log_partition int NOT NULL,
        log_offset bigint NOT NULL,
        persistence_key text NOT NULL,
        config_name text NOT NULL,
        event_type text NOT NULL,
        event_version int NOT NULL,
        outcome text NOT NULL CHECK (outcome IN ('saved', 'superseded', 'deleted', 'absent')),
        occurred_at timestamptz NOT NULL,
        projected_at timestamptz NOT NULL DEFAULT now(),
        event jsonb NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX sticky_value_history_key_time ON read_model.sticky_value_history (persistence_key, config_name, occurred_at)`);
    await queryRunner.query(`
      CREATE TABLE read_model.projection_positions (
        consumer_group text NOT NULL,
        topic text NOT NULL,
        log_partition int NOT NULL,
        next_offset bigint NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer_group, topic, log_partition)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP SCHEMA read_model CASCADE');
  }
}
