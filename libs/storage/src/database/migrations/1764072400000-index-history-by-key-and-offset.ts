import { type MigrationInterface, type QueryRunner } from 'typeorm';
import { READ_MODEL_SCHEMA } from '../read-model-schema';

/**
 * A unit's history in log order, so a page of its audit trail reads that page and no more, however long
 * the history (one key's events all lie on one partition, so its offsets are its log order).
 */
export class IndexHistoryByKeyAndOffset1764072400000 implements MigrationInterface {
  name = 'IndexHistoryByKeyAndOffset1764072400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX sticky_value_history_key_offset ON ${READ_MODEL_SCHEMA}.sticky_value_history (persistence_key, log_offset)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX ${READ_MODEL_SCHEMA}.sticky_value_history_key_offset`);
  }
}
