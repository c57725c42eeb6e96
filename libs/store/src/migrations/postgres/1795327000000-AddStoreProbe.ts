import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AddStoreProbe1795327000000 implements MigrationInterface {
  name = 'AddStoreProbe1795327000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "store_probe" ("id" integer NOT NULL, "writtenAt" integer NOT NULL, CONSTRAINT "PK_store_probe" PRIMARY KEY ("id"))`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "store_probe"`);
  }
}
