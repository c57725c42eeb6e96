import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AddClusterSecrets1795340000000 implements MigrationInterface {
  name = 'AddClusterSecrets1795340000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "cluster_secrets" ("name" varchar(64) PRIMARY KEY NOT NULL, "value" text NOT NULL, "createdAt" datetime NOT NULL DEFAULT (datetime('now')))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "cluster_secrets"`);
  }
}
