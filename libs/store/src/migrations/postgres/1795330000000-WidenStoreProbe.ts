import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The probe's time in ms does not fit PostgreSQL's 32-bit integer. */
export class WidenStoreProbe1795330000000 implements MigrationInterface {
  name = 'WidenStoreProbe1795330000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "store_probe" ALTER COLUMN "writtenAt" TYPE bigint`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "store_probe" ALTER COLUMN "writtenAt" TYPE integer`);
  }
}
