import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AddImageCatalog1795315525286 implements MigrationInterface {
  name = 'AddImageCatalog1795315525286';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "images" (
        "id" character varying(36) NOT NULL,
        "name" character varying(255),
        "status" character varying(32) NOT NULL,
        "visibility" character varying(16) NOT NULL,
        "protected" boolean NOT NULL DEFAULT false,
        "osHidden" boolean NOT NULL DEFAULT false,
        "diskFormat" character varying(16),
        "containerFormat" character varying(16),
        "size" bigint,
        "virtualSize" bigint,
        "checksum" character varying(32),
        "osHashAlgo" character varying(64),
        "osHashValue" character varying(128),
        "minRam" integer NOT NULL DEFAULT 0,
        "minDisk" integer NOT NULL DEFAULT 0,
        "owner" character varying(255),
        "tags" text NOT NULL,
        "properties" text NOT NULL,
        "createdAt" character varying(32) NOT NULL,
        "updatedAt" character varying(32) NOT NULL,
        "fileName" character varying(255),
        "revision" integer NOT NULL,
        "filesPending" boolean NOT NULL DEFAULT false,
        CONSTRAINT "PK_images" PRIMARY KEY ("id")
      )`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_images_fileName" ON "images" ("fileName")`);
    await queryRunner.query(`CREATE INDEX "IDX_images_revision" ON "images" ("revision")`);
    await queryRunner.query(
      `CREATE TABLE "image_host_statuses" (
        "imageId" character varying(36) NOT NULL,
        "hostId" character varying(36) NOT NULL,
        "state" character varying(16) NOT NULL,
        "reason" character varying(1024) NOT NULL DEFAULT '',
        "updatedAt" character varying(32) NOT NULL,
        CONSTRAINT "PK_image_host_statuses" PRIMARY KEY ("imageId", "hostId"),
        CONSTRAINT "FK_image_host_statuses_host" FOREIGN KEY ("hostId") REFERENCES "hosts" ("id") ON DELETE CASCADE ON UPDATE NO ACTION
      )`,
    );
    await queryRunner.query(`CREATE TABLE "catalog_state" ("id" integer NOT NULL, "revision" integer NOT NULL, CONSTRAINT "PK_catalog_state" PRIMARY KEY ("id"))`);
    await queryRunner.query(`INSERT INTO "catalog_state" ("id", "revision") VALUES (1, 0)`);
    await queryRunner.query(`ALTER TABLE "host_roles" ADD COLUMN "storageId" character varying(64) NOT NULL DEFAULT ''`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "host_roles" DROP COLUMN "storageId"`);
    await queryRunner.query(`DROP TABLE "catalog_state"`);
    await queryRunner.query(`DROP TABLE "image_host_statuses"`);
    await queryRunner.query(`DROP INDEX "IDX_images_revision"`);
    await queryRunner.query(`DROP INDEX "IDX_images_fileName"`);
    await queryRunner.query(`DROP TABLE "images"`);
  }
}
