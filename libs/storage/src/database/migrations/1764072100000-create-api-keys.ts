import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class CreateApiKeys1764072100000 implements MigrationInterface {
  name = 'CreateApiKeys1764072100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE api_keys (
        id text PRIMARY KEY,
        name text NOT NULL,
        scopes text[] NOT NULL,
        secret_sha256 bytea NOT NULL,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE api_keys');
  }
}
