import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AddImageCatalog1795315525286 implements MigrationInterface {
  name = 'AddImageCatalog1795315525286';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "images" (
        "id" varchar(36) PRIMARY KEY NOT NULL,
        "name" varchar(255),
        "status" varchar(32) NOT NULL,
        "visibility" varchar(16) NOT NULL,
        "protected" boolean NOT NULL DEFAULT (0),
        "osHidden" boolean NOT NULL DEFAULT (0),
        "diskFormat" varchar(16),
        "containerFormat" varchar(16),
        "size" bigint,
        "virtualSize" bigint,
        "checksum" varchar(32),
        "osHashAlgo" varchar(64),
        "osHashValue" varchar(128),
        "minRam" integer NOT NULL DEFAULT (0),
        "minDisk" integer NOT NULL DEFAULT (0),
        "owner" varchar(255),
        "tags" text NOT NULL,
        "properties" text NOT NULL,
        "createdAt" varchar(32) NOT NULL,
        "updatedAt" varchar(32) NOT NULL,
        "fileName" varchar(255),
        "revision" integer NOT NULL,
        "filesPending" boolean NOT NULL DEFAULT (0)
      )`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_images_fileName" ON "images" ("fileName")`);
    await queryRunner.query(`CREATE INDEX "IDX_images_revision" ON "images" ("revision")`);
    await queryRunner.query(
      `CREATE TABLE "image_host_statuses" (
        "imageId" varchar(36) NOT NULL,
        "hostId" varchar(36) NOT NULL,
        "state" varchar(16) NOT NULL,
        "reason" varchar(1024) NOT NULL DEFAULT (''),
        "updatedAt" varchar(32) NOT NULL,
        PRIMARY KEY ("imageId", "hostId"),
        CONSTRAINT "FK_image_host_statuses_host" FOREIGN KEY ("hostId") REFERENCES "hosts" ("id") ON DELETE CASCADE ON UPDATE NO ACTION
      )`,
    );
    await queryRunner.query(`CREATE TABLE "catalog_state" ("id" integer PRIMARY KEY NOT NULL, "revision" integer NOT NULL)`);
    await queryRunner.query(`INSERT INTO "catalog_state" ("id", "revision") VALUES (1, 0)`);
    await queryRunner.query(`ALTER TABLE "host_roles" ADD COLUMN "storageId" varchar(64) NOT NULL DEFAULT ('')`);
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
