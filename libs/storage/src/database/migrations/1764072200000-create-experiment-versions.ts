import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class CreateExperimentVersions1764072200000 implements MigrationInterface {
  name = 'CreateExperimentVersions1764072200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE experiment_versions (
        name text NOT NULL,
        version int NOT NULL,
        spec jsonb NOT NULL,
        published_by text NOT NULL,
        published_at timestamptz NOT NULL DEFAULT now(),
        diff jsonb NOT NULL,
        PRIMARY KEY (name, version)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE experiment_versions');
  }
}
