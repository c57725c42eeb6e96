import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AddClusterSecrets1795340000000 implements MigrationInterface {
  name = 'AddClusterSecrets1795340000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "cluster_secrets" ("name" character varying(64) NOT NULL, "value" text NOT NULL, "createdAt" timestamp NOT NULL DEFAULT now(), CONSTRAINT "PK_cluster_secrets" PRIMARY KEY ("name"))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "cluster_secrets"`);
  }
}
