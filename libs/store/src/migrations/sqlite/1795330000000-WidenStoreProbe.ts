import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The probe's time in ms needs a bigint on PostgreSQL; the same declared type here keeps both engines' schemas alike. */
export class WidenStoreProbe1795330000000 implements MigrationInterface {
  name = 'WidenStoreProbe1795330000000';

  // The table holds one row that every readiness check rewrites: nothing in it is worth copying.
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "store_probe"`);
    await queryRunner.query(`CREATE TABLE "store_probe" ("id" integer PRIMARY KEY NOT NULL, "writtenAt" bigint NOT NULL)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "store_probe"`);
    await queryRunner.query(`CREATE TABLE "store_probe" ("id" integer PRIMARY KEY NOT NULL, "writtenAt" integer NOT NULL)`);
  }
}
